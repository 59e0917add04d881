using System.Runtime.InteropServices;
using Perfolizer.Horology;

namespace EventRouter.Benchmarks;

/// <summary>
/// CPU time consumed by the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>, in nanoseconds), as
/// a BenchmarkDotNet clock. BenchmarkDotNet reads its clock on the thread that runs the benchmark, so
/// an iteration is then measured by the CPU time the benchmark took, not by the wall-clock time that
/// includes waiting for a core while other processes run.
/// </summary>
/// <remarks>
/// Public with a parameterless constructor: BenchmarkDotNet recreates the job's clock in each
/// benchmark process with <c>Activator.CreateInstance</c>.
/// </remarks>
public sealed class ThreadCpuClock : IClock
{
    private const int ClockThreadCpuTimeId = 3;
    private const long NanosecondsPerSecond = 1_000_000_000;

    public string Title => "Thread CPU time";

    public bool IsAvailable => OperatingSystem.IsLinux();

    public Frequency Frequency => new(NanosecondsPerSecond);

    public long GetTimestamp()
    {
        if (ClockGetTime(ClockThreadCpuTimeId, out var now) != 0) throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        return now.Seconds * NanosecondsPerSecond + now.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clockId, out TimeSpec time);
}
