namespace EventRouter.Validation;

/// <summary>
/// The validator's messages that name one field and nothing else, built once per
/// <see cref="EventFieldNames"/>: rejecting such an event (an id that is not a UUID, say) then
/// allocates nothing, as it did when the names were literals.
/// </summary>
internal sealed class EventFieldErrors(EventFieldNames fields)
{
    public string IdNotUuid { get; } = $"field '{fields.Id}' is not a UUID (expected the 36-character hyphenated form)";
    public string CreatedAtNotRfc3339 { get; } = $"field '{fields.CreatedAt}' is not an RFC 3339 date-time";
    public string TypeEmpty { get; } = $"field '{fields.Type}' is empty";
    public string TypeNotUnicode { get; } = $"field '{fields.Type}' contains an escaped unpaired UTF-16 surrogate and is not Unicode text";
}
