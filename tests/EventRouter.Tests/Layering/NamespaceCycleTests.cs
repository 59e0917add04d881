using EventRouter.Routing;
using Xunit.Abstractions;

namespace EventRouter.Tests.Layering;

/// <summary>
/// The core's folders form layers: no namespace of the EventRouter assembly uses one that uses it
/// back, directly or through others. The root namespace <c>EventRouter</c> is left out: it holds
/// both the record types every folder shares (<see cref="InboundRecord"/>, <see cref="PoisonReason"/>)
/// and the pipeline that composes the folders.
/// </summary>
public sealed class NamespaceCycleTests(ITestOutputHelper output)
{
    [Fact]
    public void CoreNamespaces_HaveNoCycle()
    {
        var edges = NamespaceDependencies.Of(typeof(RouteTable).Assembly, out var unresolved);
        foreach (var (from, to) in edges.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{from} -> {string.Join(", ", to.Order(StringComparer.Ordinal))}");
        }

        Assert.Empty(unresolved);
        Assert.Contains("EventRouter.Validation", edges["EventRouter.Processing"]); // the reader sees what it must
        Assert.Empty(NamespaceDependencies.Cycles(edges, ns => ns.StartsWith("EventRouter.", StringComparison.Ordinal)));
    }
}
