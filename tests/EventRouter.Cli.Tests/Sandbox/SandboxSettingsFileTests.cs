using System.Text.Json;
using EventRouter.Cli.Sandbox;

namespace EventRouter.Cli.Tests.Sandbox;

public sealed class SandboxSettingsFileTests
{
    [Fact]
    public void Write_FlatKeys_NestedJsonReadableByItsOwnerOnlyAndDeletedOnDispose()
    {
        string path;
        using (var file = SandboxSettingsFile.Write(new Dictionary<string, string>
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:9092",
            ["Kafka:AllowPlaintext"] = "true",
            ["Kafka:Topics:Prices"] = "Prices",
            ["EventStorage"] = "UseDevelopmentStorage=true",
        }))
        {
            path = file.Path;
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var kafka = json.RootElement.GetProperty("Kafka");
            Assert.Equal("127.0.0.1:9092", kafka.GetProperty("BootstrapServers").GetString());
            Assert.True(kafka.GetProperty("AllowPlaintext").GetBoolean());
            Assert.Equal("Prices", kafka.GetProperty("Topics").GetProperty("Prices").GetString());
            Assert.Equal("UseDevelopmentStorage=true", json.RootElement.GetProperty("EventStorage").GetString());
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }
        Assert.False(File.Exists(path));
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }
}
