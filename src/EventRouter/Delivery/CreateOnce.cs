namespace EventRouter.Delivery;

/// <summary>
/// Runs a create-if-missing call (a queue, a blob container) once and caches its success, so it
/// is not repeated per message; a failed attempt is not cached, and the next caller tries again.
/// </summary>
internal sealed class CreateOnce(Func<Task> create)
{
    private Lazy<Task> _creation = new(create);

    public async Task EnsureAsync()
    {
        var creation = _creation;
        try
        {
            await creation.Value.ConfigureAwait(false);
        }
        catch
        {
            Interlocked.CompareExchange(ref _creation, new Lazy<Task>(create), creation);
            throw;
        }
    }
}
