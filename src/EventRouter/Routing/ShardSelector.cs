using System.IO.Hashing;
using System.Text;

namespace EventRouter.Routing;

/// <summary>
/// Which shard of a sharded route a key belongs to: XxHash32 (seed 0) of the key's bytes, mod the
/// shard count. A pure function of the bytes, the same in every process, host and release, so one
/// key always goes to one shard (and one instrument's prices stay in one queue, in order).
/// </summary>
/// <remarks>
/// Not <see cref="string.GetHashCode()"/>: it is randomised per process. XxHash32 rather than FNV-1a
/// because FNV-1a's low bits depend only on the low bits of each input byte, so "mod 4" of keys that
/// differ in a letter's upper bits (A/Q, a/q) would collide; XxHash32's final avalanche mixes every
/// bit. Changing the function moves keys between shards: treat it as part of the message contract.
/// </remarks>
public static class ShardSelector
{
    /// <summary>The most shards one route may have (<c>Routing:Shards:n:Count</c>).</summary>
    public const int MaxShards = 64;

    /// <summary>XxHash32 of <paramref name="key"/> with seed 0, as the xxHash specification defines it.</summary>
    public static uint Hash(ReadOnlySpan<byte> key) => XxHash32.HashToUInt32(key);

    /// <summary>The shard (0 to <paramref name="count"/> - 1) of <paramref name="key"/>.</summary>
    public static int Select(ReadOnlySpan<byte> key, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return count == 1 ? 0 : (int)(Hash(key) % (uint)count);
    }

    /// <summary>The shard of a text key, hashed as its UTF-8 bytes.</summary>
    public static int Select(string key, int count)
    {
        ArgumentNullException.ThrowIfNull(key);
        // A price without a record key is sharded by its instrument field, on the routing path: no array per record.
        var length = Encoding.UTF8.GetMaxByteCount(key.Length);
        Span<byte> bytes = length <= 256 ? stackalloc byte[length] : new byte[length];
        return Select(bytes[..Encoding.UTF8.GetBytes(key, bytes)], count);
    }

    /// <summary>The shard of an event id, hashed as its canonical text (<c>D</c> format, lowercase), so the id's spelling in the event does not matter.</summary>
    public static int Select(Guid eventId, int count)
    {
        Span<byte> text = stackalloc byte[36];
        eventId.TryFormat(text, out _, "D");
        return Select(text, count);
    }
}
