namespace EventRouter.Formats;

/// <summary>Azure Storage queue message size, as it applies to EventRouter's Base64-encoded messages.</summary>
public static class QueueMessageLimits
{
    /// <summary>A queue message may hold at most 64 KiB of (encoded) text.</summary>
    public const int MaxEncodedBytes = 64 * 1024;

    /// <summary>Base64 turns 3 bytes into 4 characters, so 48 KiB of UTF-8 JSON is the most a message can carry.</summary>
    public const int MaxMessageBytes = MaxEncodedBytes / 4 * 3;

    public static bool Fits(int messageBytes) => messageBytes <= MaxMessageBytes;
}
