using EventRouter.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;

namespace EventRouter.Functions;

public static partial class FunctionsApp
{
    // The Kafka triggers read Kafka:* through binding expressions. Check those settings, and that the
    // AzureWebJobs.<function>.Disabled settings leave exactly the functions of Kafka:SaslMechanism on.
    static partial void AddKafkaTriggers(FunctionsApplicationBuilder builder) =>
        builder.Services.AddKafkaTriggerSettingsCheck(builder.Configuration, KafkaSecurity.Protocol.ToString(), KafkaTriggerFunctions.All);
}
