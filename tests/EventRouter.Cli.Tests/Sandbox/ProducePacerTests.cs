using EventRouter.Cli.Sandbox;

namespace EventRouter.Cli.Tests.Sandbox;

public sealed class ProducePacerTests
{
    private static int SentWithin(ProducePacer pacer, TimeSpan from, TimeSpan to, Func<long> backlog)
    {
        var sent = 0;
        for (var now = from; now < to; now += TimeSpan.FromMilliseconds(1))
        {
            while (pacer.Delay(now, backlog()) == TimeSpan.Zero) sent++;
        }
        return sent;
    }

    [Fact]
    public void Delay_PipelineKeepingUp_SendsAtTheRate()
    {
        var pacer = new ProducePacer(rate: 200, maxBacklog: 1000);

        Assert.InRange(SentWithin(pacer, TimeSpan.Zero, TimeSpan.FromSeconds(10), () => 0), 1995, 2005);
        Assert.Equal(TimeSpan.Zero, pacer.WaitedForPipeline);
    }

    [Fact]
    public void Delay_PipelineBehindByTheBound_WaitsAndCountsTheWait()
    {
        var pacer = new ProducePacer(rate: 200, maxBacklog: 1000);

        Assert.Equal(ProducePacer.BacklogPause, pacer.Delay(TimeSpan.FromSeconds(1), 1000));
        Assert.Equal(ProducePacer.BacklogPause, pacer.Delay(TimeSpan.FromSeconds(1.05), 5000));
        Assert.Equal(ProducePacer.BacklogPause * 2, pacer.WaitedForPipeline);
    }

    [Fact]
    public void Delay_AfterAPause_ResumesAtTheRateWithoutABurst()
    {
        var pacer = new ProducePacer(rate: 100, maxBacklog: 1000);
        SentWithin(pacer, TimeSpan.Zero, TimeSpan.FromSeconds(1), () => 0);
        SentWithin(pacer, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), () => 1000); // behind: nothing sent

        // The four seconds lost are not made up: one second later, about 100 more, not 500.
        Assert.InRange(SentWithin(pacer, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(6), () => 0), 99, 112);
    }
}
