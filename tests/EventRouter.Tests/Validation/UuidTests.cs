using System.Buffers.Text;
using System.Text;
using EventRouter.Validation;

namespace EventRouter.Tests.Validation;

/// <summary>
/// <see cref="Uuid.TryParse"/> must accept exactly what <see cref="Utf8Parser"/>'s 'D' format accepts
/// over all 36 bytes, and yield the same <see cref="Guid"/>.
/// </summary>
public sealed class UuidTests
{
    [Theory]
    [InlineData("5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11", true)]
    [InlineData("5F0C7A36-3D0E-4F6B-9A53-2A6B0F6F1C11", true)]
    [InlineData("5f0C7a36-3D0e-4F6b-9A53-2a6B0f6F1c11", true)]
    [InlineData("00000000-0000-0000-0000-000000000000", true)]
    [InlineData("ffffffff-ffff-ffff-ffff-ffffffffffff", true)]
    [InlineData("01234567-89ab-cdef-ABCD-EF0123456789", true)]
    [InlineData("5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c1g", false)]   // g
    [InlineData("5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c1G", false)]
    [InlineData("5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c1/", false)]   // just below '0'
    [InlineData("5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c1:", false)]   // just above '9'
    [InlineData("5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c1@", false)]   // just below 'A'
    [InlineData("5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c1`", false)]   // just below 'a'
    [InlineData("5f0c7a3-63d0e-4f6b-9a53-2a6b0f6f1c11", false)]   // hyphen one early
    [InlineData("5f0c7a36-3d0e-4f6b-9a532-a6b0f6f1c11", false)]
    [InlineData("5f0c7a36+3d0e-4f6b-9a53-2a6b0f6f1c11", false)]
    [InlineData("5f0c7a363d0e4f6b9a532a6b0f6f1c11", false)]       // N format
    [InlineData("{5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c11}", false)] // B format
    [InlineData("5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c1", false)]    // 35
    [InlineData("5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c111", false)]  // 37
    [InlineData(" 5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c1", false)]
    [InlineData("5f0c7a36-3d0e-4f6b-9a53-2a6b0f6f1c\u00e9", false)] // non-ASCII (two UTF-8 bytes: length 37)
    [InlineData("", false)]
    public void TryParse_Text_AgreesWithUtf8Parser(string text, bool valid)
    {
        var bytes = Encoding.UTF8.GetBytes(text);

        var ok = Uuid.TryParse(bytes, out var id);

        Assert.Equal(valid, ok);
        Assert.Equal(Reference(bytes), (ok, id));
    }

    [Fact]
    public void TryParse_EveryByteValueAtEveryPosition_AgreesWithUtf8Parser()
    {
        var bytes = Encoding.ASCII.GetBytes("01234567-89ab-cdef-ABCD-EF0123456789");
        for (var position = 0; position < bytes.Length; position++)
        {
            var original = bytes[position];
            for (var b = 0; b < 256; b++)
            {
                bytes[position] = (byte)b;
                Assert.True(Reference(bytes) == (Uuid.TryParse(bytes, out var id), id), $"byte 0x{b:x2} at {position}");
            }
            bytes[position] = original;
        }
    }

    [Fact]
    public void TryParse_RandomUuidsAndMutations_AgreeWithUtf8Parser()
    {
        var rng = new Random(20261123);
        byte[] nearHex = "0123456789abcdefABCDEFgG/:@`- {}"u8.ToArray();
        var accepted = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var text = Guid.NewGuid().ToString("D");
            if (rng.Next(3) == 0) text = text.ToUpperInvariant();
            var bytes = Encoding.ASCII.GetBytes(text);
            for (var m = rng.Next(3); m > 0; m--) bytes[rng.Next(bytes.Length)] = nearHex[rng.Next(nearHex.Length)];

            var actual = (Uuid.TryParse(bytes, out var id), id);

            Assert.True(Reference(bytes) == actual, Encoding.ASCII.GetString(bytes));
            if (actual.Item1) accepted++;
        }
        // Both kinds of answer were compared, not only one.
        Assert.InRange(accepted, 10_000, 90_000);
    }

    private static (bool, Guid) Reference(byte[] text)
    {
        var ok = Utf8Parser.TryParse(text, out Guid id, out var consumed, 'D') && consumed == text.Length && text.Length == Uuid.Length;
        return (ok, ok ? id : default);
    }
}
