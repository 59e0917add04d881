using System.Diagnostics;

namespace EventRouter.IntegrationTests.EndToEnd;

/// <summary>
/// librdkafka's mock cluster hosted by <c>eventrouter mock-kafka</c> in a child process, so that an
/// assertion inside the mock (it is librdkafka's test code, and an assertion aborts the process that
/// hosts it) fails the test that provoked it instead of killing the whole test run.
/// </summary>
internal sealed class MockKafkaProcess : IDisposable
{
    private readonly Process _process;
    private readonly Lock _gate = new();

    public MockKafkaProcess()
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "EventRouter.Cli.dll"));
        startInfo.ArgumentList.Add("mock-kafka");
        _process = Process.Start(startInfo)!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        var first = ReadLine(TimeSpan.FromSeconds(60));
        if (!first.StartsWith("bootstrap ", StringComparison.Ordinal)) throw new InvalidOperationException($"mock-kafka said '{first}'.");
        BootstrapServers = first["bootstrap ".Length..];
    }

    public string BootstrapServers { get; }

    public void CreateTopic(string name, int partitions) => Send($"topic {name} {partitions}");
    public void SetBrokerDown(int brokerId) => Send($"down {brokerId}");
    public void SetBrokerUp(int brokerId) => Send($"up {brokerId}");
    public void AdvertiseBroker(int brokerId, string host, int port) => Send($"advertise {brokerId} {host} {port}");

    private void Send(string command)
    {
        lock (_gate)
        {
            _process.StandardInput.WriteLine(command);
            _process.StandardInput.Flush();
            var answer = ReadLine(TimeSpan.FromSeconds(30));
            if (answer != "ok") throw new InvalidOperationException($"mock-kafka answered '{answer}' to '{command}'.");
        }
    }

    private string ReadLine(TimeSpan timeout)
    {
        var line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(timeout)) throw new TimeoutException("mock-kafka did not answer.");
        return line.Result ?? throw new InvalidOperationException($"mock-kafka exited (code {(_process.HasExited ? _process.ExitCode : -1)}).");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine("exit");
                _process.StandardInput.Flush();
                if (!_process.WaitForExit(10_000)) _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            // Already gone (it may have crashed: the test using it has failed already).
        }
        _process.Dispose();
    }
}
