using EventRouter.Delivery;
using EventRouter.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace EventRouter.Configuration;

/// <summary>
/// Start-up checks of the connections in <c>Routing:ShardConnections</c>: each one other than
/// <c>EventStorage</c> (which <see cref="EventStorageOptionsValidator"/> checks) must be configured
/// like it, as a connection string or <c>&lt;Name&gt;__queueServiceUri</c>. Messages name the setting
/// and the connection, never a value.
/// </summary>
public sealed class ShardConnectionsValidator(IConfiguration configuration) : IValidateOptions<RoutingOptions>
{
    public ValidateOptionsResult Validate(string? name, RoutingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var connections = options.ShardConnections ?? [];
        for (var i = 0; i < connections.Count; i++)
        {
            var connection = connections[i];
            // A bad name is RoutingOptionsValidator's to report; the default is checked on its own.
            if (!RoutingOptionsValidator.IsConnectionName(connection) || connection == RoutingOptions.DefaultConnection) continue;
            var storage = new EventStorageOptions();
            EventStorageOptions.Read(configuration, connection, storage);
            foreach (var problem in EventStorageOptionsValidator.Check(connection, storage, requireBlobs: false))
            {
                failures.Add($"{RoutingOptions.SectionName}:ShardConnections:{i} names connection '{connection}', which has a problem: {problem}");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
