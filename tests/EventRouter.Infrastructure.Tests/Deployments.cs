namespace EventRouter.Infrastructure.Tests;

/// <summary>The deployments the tests predict: both environments as committed, and the other plan and mechanisms.</summary>
internal static class Deployments
{
    public const string OperatorId = "11111111-2222-3333-4444-555555555555";

    public static PredictedDeployment Get(string name) => name switch
    {
        "sandbox" or "production" => PredictedDeployment.ForEnvironment(name),
        // Elastic Premium, PLAIN, with an operator: everything the committed environments do not use.
        "elastic-premium-plain" => PredictedDeployment.SandboxWith(name, new Dictionary<string, string>
        {
            ["hostingPlan"] = "'ElasticPremium'",
            ["kafkaSaslMechanism"] = "'Plain'",
            ["operatorPrincipalId"] = $"'{OperatorId}'",
        }),
        "flex-scram-sha-256" => PredictedDeployment.SandboxWith(name, new Dictionary<string, string> { ["kafkaSaslMechanism"] = "'ScramSha256'" }),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    public static IReadOnlyList<string> Names { get; } = ["sandbox", "production", "elastic-premium-plain", "flex-scram-sha-256"];

    public static TheoryData<string> All => [.. Names];

    public static string HostingPlan(PredictedDeployment deployment) =>
        deployment.Outputs.GetProperty("EVENTROUTER_HOSTING_PLAN").GetString()!;
}
