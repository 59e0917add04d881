using System.Text;
using EventRouter.Routing;

namespace EventRouter.Tests.Routing;

/// <summary>
/// <see cref="ShardSelector"/> decides which queue a key lives in, in every process and release, so
/// its values are pinned: the hashes below were computed once with the xxHash reference tool
/// (<c>printf '%s' KEY | xxhsum -H0</c>, xxHash 0.8.1), not with this code. The first three are
/// also the specification's well-known XXH32 values.
/// </summary>
public sealed class ShardSelectorTests
{
    [Theory]
    [InlineData("", 0x02CC5D05u)]
    [InlineData("a", 0x550D7456u)]
    [InlineData("abc", 0x32D153FFu)]
    [InlineData("US0378331005", 0xF4006C97u)]
    [InlineData("DE0007164600", 0x32078328u)]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301", 0xE2A3BAB7u)]
    public void Hash_IsXxHash32WithSeedZero(string key, uint expected)
    {
        Assert.Equal(expected, ShardSelector.Hash(Encoding.UTF8.GetBytes(key)));
    }

    [Theory]
    // 0xF4006C97 = 4,093,668,503; 0x32078328 = 839,353,128; 0xE2A3BAB7 = 3,802,380,983.
    [InlineData("US0378331005", 4, 3)]
    [InlineData("US0378331005", 3, 2)]
    [InlineData("US0378331005", 64, 23)]
    [InlineData("DE0007164600", 4, 0)]
    [InlineData("DE0007164600", 64, 40)]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301", 8, 7)]
    public void Select_IsTheHashModTheCount(string key, int count, int expected)
    {
        Assert.Equal(expected, ShardSelector.Select(key, count));
        Assert.Equal(expected, ShardSelector.Select(Encoding.UTF8.GetBytes(key), count));
    }

    [Fact]
    public void Select_EventId_HashesItsCanonicalLowercaseText()
    {
        var id = Guid.Parse("3F2504E0-4F89-11D3-9A0C-0305E82C3301");

        Assert.Equal(7, ShardSelector.Select(id, 8));
        Assert.Equal(ShardSelector.Select(id.ToString("D"), 8), ShardSelector.Select(id, 8));
    }

    [Fact]
    public void Select_OneShard_IsAlwaysZero_AndNoShardsIsRefused()
    {
        Assert.Equal(0, ShardSelector.Select("anything", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardSelector.Select("anything", 0));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(64)]
    public void Select_100kInstrumentLikeKeys_SpreadEvenly(int count)
    {
        // ISIN-shaped keys (two letters, ten digits), the provider's instrument ids: a poor hash mod a
        // power of two would pile them into a few shards (FNV-1a's low bits see only the digits' low bits).
        var counts = new int[count];
        for (var i = 0; i < 100_000; i++)
        {
            counts[ShardSelector.Select($"{(i % 2 == 0 ? "US" : "DE")}{i:D10}", count)]++;
        }

        AssertEven(counts, 100_000);
    }

    /// <summary>
    /// Every shard within 4.5 standard deviations of its share, as a uniform random choice would be
    /// (the binomial's σ = √(n·p·(1-p)): 0.3% of the share for 2 shards, 2.5% for 64), so a hash that
    /// favours some shards fails while an honest one cannot; the keys are fixed, so the result is too.
    /// </summary>
    private static void AssertEven(int[] counts, int total)
    {
        var p = 1.0 / counts.Length;
        var share = total * p;
        var sigma = Math.Sqrt(total * p * (1 - p));
        Assert.All(counts, c => Assert.InRange(c, share - 4.5 * sigma, share + 4.5 * sigma));
    }

    [Fact]
    public void Select_100kEventIds_SpreadEvenlyOver6()
    {
        var counts = new int[6];
        var random = new Random(22);
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < 100_000; i++)
        {
            random.NextBytes(bytes);
            counts[ShardSelector.Select(new Guid(bytes), 6)]++;
        }

        AssertEven(counts, 100_000);
    }

    [Fact]
    public void ShardQueueName_IsTheQueueDashIndex()
    {
        Assert.Equal("prices-0", RoutingDefaults.ShardQueueName("prices", 0));
        Assert.Equal("events-order-63", RoutingDefaults.ShardQueueName("events-order", 63));
    }
}
