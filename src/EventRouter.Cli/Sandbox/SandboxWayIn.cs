using EventRouter.Cli.Commands;
using EventRouter.Configuration;
using EventRouter.Delivery;
using Spectre.Console;

namespace EventRouter.Cli.Sandbox;

/// <summary>
/// <c>eventrouter dev</c>'s start screen: where the sandbox's broker, topics, group and storage are,
/// and the operator commands to try against it. Its own type so that the command keeps the run.
/// </summary>
internal static class SandboxWayIn
{
    /// <summary>The start table: where the sandbox's broker, topics, group and storage are, for the operator commands.</summary>
    public static void Write(IAnsiConsole console, IReadOnlyDictionary<string, string> connection, string settingsPath, string queueEndpoint, string blobEndpoint, KcatFiles? kcat)
    {
        var table = new Table().Title("Sandbox").AddColumn("Setting").AddColumn("Value")
            .AddRow("Broker", Markup.Escape(connection[KafkaSettingNames.BootstrapServers]) + (kcat is null ? " (librdkafka mock cluster)" : " (librdkafka mock cluster behind EventRouter's TLS + SASL front)"))
            .AddRow("Security", kcat is null
                ? "PLAINTEXT (--plaintext; the mock itself has no TLS or SASL)"
                : $"SASL_SSL, SCRAM-SHA-512 as '{DevCommand.SandboxUser}', a CA made for this run (in the settings file as {KafkaSettingNames.SslCaPem})")
            .AddRow("Topics", $"Notifications, Prices ({DevCommand.Partitions} partitions each, as the provider's)")
            .AddRow("Consumer group", DevCommand.ConsumerGroup)
            .AddRow("Storage", $"Azurite (scratch): queues {queueEndpoint}, blobs {blobEndpoint}")
            .AddRow("Settings file", Markup.Escape(settingsPath) + " (yours only, deleted on stop)");
        console.Write(table);
        // Unwrapped, so that each command can be copied as it stands.
        var path = settingsPath.Contains(' ', StringComparison.Ordinal) ? $"\"{settingsPath}\"" : settingsPath;
        var writer = console.Profile.Out.Writer;
        // The connection string holds an account key (Azurite's published one, but a key all the same, and
        // output people copy into tickets should not teach that keys get printed): the settings file has it.
        writer.WriteLine($"Storage: Azurite's development account (devstoreaccount1); its connection string is {EventStorageOptions.ConnectionName} in the settings file. " +
            $"In Azure Storage Explorer: Attach to a local emulator, queues port {new Uri(queueEndpoint).Port}, blobs port {new Uri(blobEndpoint).Port}.");
        writer.WriteLine("Try, in another terminal:");
        if (kcat is not null)
        {
            // The provider's guide writes its kcat commands this way; the password is read from its file, not printed.
            writer.WriteLine($"  kcat -b {connection[KafkaSettingNames.BootstrapServers]} -X security.protocol=SASL_SSL -X sasl.mechanism=SCRAM-SHA-512 " +
                $"-X sasl.username={DevCommand.SandboxUser} -X sasl.password=\"$(cat {kcat.PasswordPath})\" -X ssl.ca.location={kcat.CaPath} -L");
        }
        writer.WriteLine($"  eventrouter check --settings {path}");
        writer.WriteLine($"  eventrouter stats --settings {path}");
        writer.WriteLine($"  eventrouter poison list --settings {path}");
        writer.WriteLine($"  eventrouter replay --topic Prices --from beginning --dry-run --settings {path}");
        writer.WriteLine();
    }
}
