using Azure.Core;
using Azure.Identity;

namespace EventRouter.Telemetry;

/// <summary>
/// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c>, as the Functions host and the Application
/// Insights SDKs read it: <c>Authorization=AAD</c> for the system-assigned managed identity,
/// <c>Authorization=AAD;ClientId=&lt;client id&gt;</c> for a user-assigned one.
/// </summary>
public static class AzureMonitorAuthentication
{
    public const string Setting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>The managed identity the setting names, or null when it is absent or not <c>Authorization=AAD</c>.</summary>
    public static TokenCredential? CredentialFrom(string? authenticationString)
        => Parse(authenticationString) switch
        {
            (true, { } clientId) => new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId)),
            (true, null) => new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned),
            _ => null,
        };

    /// <summary>Whether the setting asks for Entra authentication, and the client id of a user-assigned identity.</summary>
    public static (bool Entra, string? ClientId) Parse(string? authenticationString)
    {
        if (string.IsNullOrWhiteSpace(authenticationString)) return (false, null);
        var entra = false;
        string? clientId = null;
        foreach (var part in authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) continue;
            var key = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            if (key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)) entra = value.Equals("AAD", StringComparison.OrdinalIgnoreCase);
            else if (key.Equals("ClientId", StringComparison.OrdinalIgnoreCase) && value.Length > 0) clientId = value;
        }
        return (entra, entra ? clientId : null);
    }
}
