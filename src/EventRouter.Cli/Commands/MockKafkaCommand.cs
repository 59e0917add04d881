using System.CommandLine;
using EventRouter.Kafka;

namespace EventRouter.Cli.Commands;

/// <summary>
/// <c>eventrouter mock-kafka</c> (hidden): librdkafka's mock cluster in a process of its own, for
/// tests that must survive the mock's own failures (it is librdkafka's test code: an assertion in
/// it aborts the process that hosts it). Prints <c>bootstrap &lt;servers&gt;</c>, then
/// answers each stdin line with <c>ok</c> or <c>error &lt;why&gt;</c>: <c>topic NAME PARTITIONS</c>,
/// <c>down BROKER</c>, <c>up BROKER</c>, <c>advertise BROKER HOST PORT</c>; end of input or <c>exit</c> stops it.
/// </summary>
internal static class MockKafkaCommand
{
    public static Command Create()
    {
        var brokers = new Option<int>("--brokers") { Description = "Number of brokers.", DefaultValueFactory = _ => 1 };
        var command = new Command("mock-kafka", "Run librdkafka's mock Kafka cluster, driven over stdin (for tests).") { brokers };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            KafkaNativeLibrary.EnsureLoaded();
            using var cluster = new MockKafkaCluster(Math.Max(1, parse.GetValue(brokers)));
            output.WriteLine($"bootstrap {cluster.BootstrapServers}");
            output.Flush();
            while (Console.In.ReadLine() is { } line)
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 0) continue;
                if (parts[0] == "exit") break;
                try
                {
                    switch (parts)
                    {
                        case ["topic", var name, var partitions]: cluster.CreateTopic(name, int.Parse(partitions)); break;
                        case ["down", var id]: cluster.SetBrokerDown(int.Parse(id)); break;
                        case ["up", var id]: cluster.SetBrokerUp(int.Parse(id)); break;
                        case ["advertise", var id, var host, var port]: cluster.AdvertiseBroker(int.Parse(id), host, int.Parse(port)); break;
                        default: throw new FormatException($"unknown command '{line}'");
                    }
                    output.WriteLine("ok");
                }
                catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
                {
                    output.WriteLine($"error {ex.Message}");
                }
                output.Flush();
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
