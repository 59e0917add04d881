namespace EventRouter.Routing;

/// <summary>Which rule picked a queue (a low-cardinality telemetry tag).</summary>
public enum RouteKind
{
    Category,
    ExactOverride,
    CategoryOverride,
    Prices,
    Unrouted,
}
