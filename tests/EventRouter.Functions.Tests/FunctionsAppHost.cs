using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EventRouter.Functions.Tests;

/// <summary>
/// The worker's host as Program.cs builds it (<see cref="FunctionsApp.AddEventRouterFunctions"/>), with
/// the settings a test gives in place of app settings. Not started: nothing here is the Functions host.
/// </summary>
internal static class FunctionsAppHost
{
    /// <summary>
    /// What the Functions host passes the worker on its command line (<c>--functions-uri</c> and so on,
    /// which the worker reads from the process's own arguments): its gRPC endpoint and ids. Nothing
    /// listens on the endpoint; a test that starts the host expects it to stop before connecting.
    /// </summary>
    private static readonly Dictionary<string, string?> HostArguments = new()
    {
        ["Functions:Worker:HostEndpoint"] = "http://127.0.0.1:9/",
        ["Functions:Worker:WorkerId"] = "test-worker",
        ["Functions:Worker:RequestId"] = "test-request",
        ["Functions:Worker:GrpcMaxMessageLength"] = "2147483647",
    };

    public static IHost Build(IDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(HostArguments).AddInMemoryCollection(settings);
        builder.AddEventRouterFunctions();
        configureServices?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>A function class as the worker activates it: its constructor resolved from the app's services.</summary>
    public static T Activate<T>(IHost host) where T : class =>
        (T)host.Services.GetRequiredService<IFunctionActivator>().CreateInstance(typeof(T), new ActivationContext(host.Services))!;

    private sealed class ActivationContext(IServiceProvider services) : FunctionContext
    {
        public override string InvocationId => "test-invocation";
        public override string FunctionId => "test-function";
        public override TraceContext TraceContext => throw new NotSupportedException();
        public override BindingContext BindingContext => throw new NotSupportedException();
        public override RetryContext RetryContext => throw new NotSupportedException();
        public override IServiceProvider InstanceServices { get => services; set => throw new NotSupportedException(); }
        public override FunctionDefinition FunctionDefinition => throw new NotSupportedException();
        public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
        public override IInvocationFeatures Features => throw new NotSupportedException();
    }
}
