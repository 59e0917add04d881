using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EventRouter.Validation;

/// <summary>
/// The 36-character hyphenated UUID form (<c>8-4-4-4-12</c> hex digits, either case) parsed from
/// UTF-8 without allocating. Accepts and yields exactly what
/// <c>Utf8Parser.TryParse(text, out Guid, out consumed, 'D')</c> with <c>consumed == 36</c> does:
/// each group exactly its number of hex digits, the hyphens exactly where they belong. That parser
/// finds each group's end by scanning, with an overflow check per digit; here every position is
/// known in advance, so all 32 digits are checked and converted at once with 128-bit vectors.
/// </summary>
internal static class Uuid
{
    public const int Length = 36;

    public static bool TryParse(ReadOnlySpan<byte> text, out Guid id)
    {
        if (text.Length != Length || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-')
        {
            id = default;
            return false;
        }
        // The vector path lays the bytes out as Guid's fields in memory, which is little-endian here;
        // elsewhere the runtime's parser gives the same answer, only slower.
        return Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian
            ? TryParseDigits(text, out id)
            : Utf8Parser.TryParse(text, out id, out var consumed, 'D') && consumed == Length;
    }

    private static bool TryParseDigits(ReadOnlySpan<byte> text, out Guid id)
    {
        ref var start = ref MemoryMarshal.GetReference(text);
        var bytes0To15 = Vector128.LoadUnsafe(ref start);
        var bytes16To31 = Vector128.LoadUnsafe(ref start, 16);
        var bytes20To35 = Vector128.LoadUnsafe(ref start, 20);

        // Gather the 32 digits without the hyphens (at 8, 13, 18, 23). A shuffle index outside 0..15
        // yields a zero byte, so each half is two shuffles OR-ed together.
        const byte None = 0xFF;
        var digits0To15 =
            Vector128.Shuffle(bytes0To15, Vector128.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, None, None)) |
            Vector128.Shuffle(bytes16To31, Vector128.Create(None, None, None, None, None, None, None, None, None, None, None, None, None, None, 0, 1));
        var digits16To31 =
            Vector128.Shuffle(bytes16To31, Vector128.Create((byte)3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, None, None, None, None)) |
            Vector128.Shuffle(bytes20To35, Vector128.Create(None, None, None, None, None, None, None, None, None, None, None, None, 12, 13, 14, 15));

        if (!TryNibbles(digits0To15, out var nibbles0To15) | !TryNibbles(digits16To31, out var nibbles16To31))
        {
            id = default;
            return false;
        }

        // Two nibbles make a byte: read as 16-bit lanes, the first digit is the low byte of its lane.
        var pairs0To15 = nibbles0To15.AsUInt16();
        var pairs16To31 = nibbles16To31.AsUInt16();
        var lowByte = Vector128.Create((ushort)0xFF);
        var bigEndian = Vector128.Narrow(((pairs0To15 << 4) | (pairs0To15 >> 8)) & lowByte, ((pairs16To31 << 4) | (pairs16To31 >> 8)) & lowByte);

        // The text is the UUID's big-endian byte order; Guid keeps its first three fields (4, 2 and
        // 2 bytes) little-endian and the last eight bytes as they are.
        var guidLayout = Vector128.Shuffle(bigEndian, Vector128.Create((byte)3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15));
        id = Unsafe.BitCast<Vector128<byte>, Guid>(guidLayout);
        return true;
    }

    /// <summary>Each byte's hex value; false unless all 16 bytes are hex digits (0-9, a-f, A-F).</summary>
    private static bool TryNibbles(Vector128<byte> digits, out Vector128<byte> nibbles)
    {
        // Byte arithmetic wraps, so one unsigned comparison per range ('0'-'9'; 'a'-'f' after folding case).
        var fromDigit = digits - Vector128.Create((byte)'0');
        var fromLetter = (digits | Vector128.Create((byte)0x20)) - Vector128.Create((byte)'a');
        var isDigit = Vector128.LessThanOrEqual(fromDigit, Vector128.Create((byte)9));
        var isLetter = Vector128.LessThanOrEqual(fromLetter, Vector128.Create((byte)5));
        nibbles = Vector128.ConditionalSelect(isDigit, fromDigit, fromLetter + Vector128.Create((byte)10));
        return (isDigit | isLetter) == Vector128<byte>.AllBitsSet;
    }
}
