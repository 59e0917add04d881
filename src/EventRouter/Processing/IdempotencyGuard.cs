using EventRouter.Delivery;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;

namespace EventRouter.Processing;

/// <summary>
/// Makes "same event id, same handler" run to completion at most once, across redeliveries,
/// restarts and instances. A claim is a blob <c>event-idempotency/&lt;handler&gt;/&lt;event id&gt;</c>
/// created with <c>If-None-Match: *</c>, so only one caller can create it; it is marked completed
/// after the handler succeeds and deleted if the handler fails, so a retry runs it again. A claim
/// left by a crashed instance is taken over (with <c>If-Match</c>) after the claim timeout.
/// Blob names come from the handler's fixed name and the validated event UUID only.
/// </summary>
public sealed class IdempotencyGuard
{
    public const string ContainerName = "event-idempotency";
    private const string StateKey = "state";
    private const string Started = "started";
    private const string Completed = "completed";

    private readonly BlobContainerClient _container;
    private readonly TimeSpan _claimTimeout;
    private readonly TimeProvider _time;
    private readonly CreateOnce _created;

    public IdempotencyGuard(BlobServiceClient blobs, IOptions<ProcessingOptions> options, TimeProvider time)
    {
        _container = blobs.GetBlobContainerClient(ContainerName);
        _claimTimeout = options.Value.IdempotencyClaimTimeout;
        _time = time;
        _created = new(() => _container.CreateIfNotExistsAsync());
    }

    /// <summary>Claims (handler, event). Returns null when the handler already completed for this event.</summary>
    /// <exception cref="HandlerClaimedException">Another delivery of the same event is being handled right now.</exception>
    public async Task<Claim?> TryClaimAsync(string handlerName, Guid eventId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync().ConfigureAwait(false);
        var blob = _container.GetBlobClient($"{handlerName}/{eventId:D}");
        try
        {
            var created = await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                Metadata = new Dictionary<string, string> { [StateKey] = Started },
            }, cancellationToken).ConfigureAwait(false);
            return new Claim(blob, created.Value.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Exists: completed, in progress elsewhere, or abandoned by a crashed instance.
        }

        BlobProperties properties;
        try
        {
            properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Deleted in between by a failing handler: claim on the next delivery.
            throw new HandlerClaimedException(handlerName, eventId);
        }
        if (properties.Metadata.TryGetValue(StateKey, out var state) && state == Completed) return null;
        if (_time.GetUtcNow() - properties.LastModified < _claimTimeout) throw new HandlerClaimedException(handlerName, eventId);

        try
        {
            var taken = await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfMatch = properties.ETag },
                Metadata = new Dictionary<string, string> { [StateKey] = Started },
            }, cancellationToken).ConfigureAwait(false);
            return new Claim(blob, taken.Value.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            throw new HandlerClaimedException(handlerName, eventId);
        }
    }

    /// <summary>A held claim: complete it after the handler succeeded, release it if it failed.</summary>
    public sealed class Claim(BlobClient blob, ETag etag)
    {
        /// <remarks>
        /// No cancellation token, like <see cref="ReleaseAsync"/>: the handler's work is done, and a
        /// claim a stop left open would run it again on the next delivery. A stop that comes now
        /// waits for this one request.
        /// </remarks>
        public Task CompleteAsync() =>
            blob.SetMetadataAsync(new Dictionary<string, string> { [StateKey] = Completed },
                new BlobRequestConditions { IfMatch = etag });

        public async Task ReleaseAsync()
        {
            try
            {
                await blob.DeleteIfExistsAsync(conditions: new BlobRequestConditions { IfMatch = etag }).ConfigureAwait(false);
            }
            catch (RequestFailedException)
            {
                // Taken over or gone: the claim timeout frees it anyway.
            }
        }
    }
}

/// <summary>Another delivery of the same event holds the handler's claim; retry the message later.</summary>
public sealed class HandlerClaimedException(string handlerName, Guid eventId)
    : Exception($"Handler '{handlerName}' is already handling event {eventId} in another delivery.");
