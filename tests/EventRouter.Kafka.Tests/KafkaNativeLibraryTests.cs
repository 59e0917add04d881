using System.Runtime.InteropServices;
using EventRouter.Kafka;

namespace EventRouter.Kafka.Tests;

public class KafkaNativeLibraryTests
{
    [Fact]
    public void BundledCandidates_LinuxGlibcX64_SelfContainedBuildFirstThenDefaultInRuntimesThenFlat()
    {
        var candidates = KafkaNativeLibrary.BundledCandidates("/app", OSPlatform.Linux, Architecture.X64, musl: false);

        Assert.Equal(
            [
                "/app/runtimes/linux-x64/native/centos8-librdkafka.so",
                "/app/runtimes/linux-x64/native/librdkafka.so",
                "/app/centos8-librdkafka.so",
                "/app/librdkafka.so",
            ],
            candidates);
    }

    [Fact]
    public void BundledCandidates_Musl_OnlyTheAlpineBuild()
    {
        var candidates = KafkaNativeLibrary.BundledCandidates("/app", OSPlatform.Linux, Architecture.Arm64, musl: true);

        Assert.Equal(["/app/runtimes/linux-arm64/native/alpine-librdkafka.so", "/app/alpine-librdkafka.so"], candidates);
    }

    [Theory]
    [InlineData("WINDOWS", "win-x64", "librdkafka.dll")]
    [InlineData("OSX", "osx-x64", "librdkafka.dylib")]
    public void BundledCandidates_OtherSystems_TheirOwnFolderAndName(string os, string rid, string file)
    {
        var candidates = KafkaNativeLibrary.BundledCandidates("/app", OSPlatform.Create(os), Architecture.X64, musl: false);

        Assert.Equal(Path.Combine("/app", "runtimes", rid, "native", file), candidates[0]);
        Assert.Equal(Path.Combine("/app", file), candidates[1]);
    }

    [Theory]
    [InlineData("2.16.0", 2, 16, 0)]
    [InlineData("2.16.0-RC1", 2, 16, 0)]
    [InlineData("2.0.2", 2, 0, 2)]
    [InlineData("2.16", 2, 16, 0)]
    [InlineData("2.16.0.1", 2, 16, 0)]
    public void TryParseVersion_ReleaseAndCandidateForms_FirstThreeNumbers(string text, int major, int minor, int patch)
    {
        Assert.True(KafkaNativeLibrary.TryParseVersion(text, out var version));
        Assert.Equal(new Version(major, minor, patch), version);
    }

    [Theory]
    [InlineData("")]
    [InlineData("two")]
    [InlineData("2")]
    [InlineData("2.x.0")]
    public void TryParseVersion_NotAVersion_False(string text) => Assert.False(KafkaNativeLibrary.TryParseVersion(text, out _));

    [Fact]
    public void RejectionFor_OlderThanBuiltWith_NamesFileVersionsAndTheOverride()
    {
        var why = KafkaNativeLibrary.RejectionFor("/usr/lib/x86_64-linux-gnu/librdkafka.so.1", "2.0.2");

        Assert.NotNull(why);
        Assert.Contains("librdkafka 2.0.2 at /usr/lib/x86_64-linux-gnu/librdkafka.so.1 is older than 2.16.0", why, StringComparison.Ordinal);
        Assert.Contains(KafkaNativeLibrary.PathVariable, why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2.16.0")]
    [InlineData("2.16.1")]
    [InlineData("3.0.0")]
    public void RejectionFor_BuiltWithOrNewer_Accepted(string version) => Assert.Null(KafkaNativeLibrary.RejectionFor("/x/librdkafka.so", version));

    [Fact]
    public void RejectionFor_Unreadable_SaysSoAndNamesTheFile()
    {
        var why = KafkaNativeLibrary.RejectionFor("/x/librdkafka.so", "weird");

        Assert.Contains("'weird'", why, StringComparison.Ordinal);
        Assert.Contains("/x/librdkafka.so", why, StringComparison.Ordinal);
    }
}
