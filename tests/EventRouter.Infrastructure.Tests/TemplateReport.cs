using System.Text.Json;

namespace EventRouter.Infrastructure.Tests;

/// <summary>What infra/main.bicep deploys, as evaluated by infra/check/inspect-templates.js.</summary>
internal static class TemplateReport
{
    public static readonly string[] HostingPlans = ["FlexConsumption", "ElasticPremium"];

    private static readonly Lazy<JsonDocument> Report = new(() => RepositoryTools.NodeJson("infra/check/inspect-templates.js"));

    public static JsonElement Plan(string hostingPlan) => Report.Value.RootElement.GetProperty("hostingPlans").GetProperty(hostingPlan);

    public static IReadOnlyList<string> Strings(JsonElement element) =>
        [.. element.EnumerateArray().Select(e => e.GetString() ?? throw new InvalidOperationException("null in a string list"))];

    public static IReadOnlyList<string> Queues(string hostingPlan) => Strings(Plan(hostingPlan).GetProperty("queues"));

    public static IReadOnlyList<string> Containers(string hostingPlan) => Strings(Plan(hostingPlan).GetProperty("containers"));

    public static IReadOnlyList<string> AppSettings(string hostingPlan) => Strings(Plan(hostingPlan).GetProperty("appSettings"));

    public static string AppSettingValue(string hostingPlan, string name) =>
        Plan(hostingPlan).GetProperty("appSettingValues").GetProperty(name).GetString() ?? string.Empty;

    public static JsonElement Root => Report.Value.RootElement;
}

/// <summary>One entry of infra/app-settings.json.</summary>
internal sealed record SettingEntry(string Name, string Owner, bool Required, bool Secret, string? Pattern, IReadOnlyList<string>? Plans)
{
    public static IReadOnlyList<SettingEntry> Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepositoryTools.PathOf("infra/app-settings.json")));
        return
        [
            .. doc.RootElement.GetProperty("settings").EnumerateArray().Select(s => new SettingEntry(
                s.GetProperty("name").GetString()!,
                s.GetProperty("owner").GetString()!,
                s.GetProperty("required").GetBoolean(),
                s.TryGetProperty("secret", out var secret) && secret.GetBoolean(),
                s.TryGetProperty("pattern", out var pattern) ? pattern.GetString() : null,
                s.TryGetProperty("plans", out var plans) ? TemplateReport.Strings(plans) : null)),
        ];
    }

    public bool AppliesTo(string hostingPlan) => Plans is null || Plans.Contains(hostingPlan);

    public bool Matches(string setting) =>
        Pattern is null ? Name == setting : System.Text.RegularExpressions.Regex.IsMatch(setting, Pattern);
}
