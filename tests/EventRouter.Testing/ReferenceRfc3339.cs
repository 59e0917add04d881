namespace EventRouter.Testing;

/// <summary>The RFC 3339 check as it was before its performance work, for <see cref="ReferenceEventValidator"/>.</summary>
internal static class ReferenceRfc3339
{
    public static bool IsValid(ReadOnlySpan<byte> s)
    {
        // Shortest: 2024-01-01T00:00:00Z (20 bytes).
        if (s.Length < 20) return false;
        if (!TryDigits(s, 0, 4, out var year) || s[4] != '-' ||
            !TryDigits(s, 5, 2, out var month) || s[7] != '-' ||
            !TryDigits(s, 8, 2, out var day) ||
            (s[10] != 'T' && s[10] != 't') ||
            !TryDigits(s, 11, 2, out var hour) || s[13] != ':' ||
            !TryDigits(s, 14, 2, out var minute) || s[16] != ':' ||
            !TryDigits(s, 17, 2, out var second))
        {
            return false;
        }
        // date-fullyear is any 4DIGIT, 0000 included (RFC 3339 appendix C leap rule: 0000 is a leap year);
        // DateTime.DaysInMonth would throw for year 0.
        if (month is < 1 or > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
        if (hour > 23 || minute > 59 || second > 60) return false;

        var i = 19;
        if (s[i] == '.')
        {
            i++;
            var start = i;
            while (i < s.Length && IsDigit(s[i])) i++;
            if (i == start) return false;
        }
        if (i >= s.Length) return false;
        if (s[i] is (byte)'Z' or (byte)'z') return i + 1 == s.Length;
        if (s[i] is not ((byte)'+' or (byte)'-')) return false;
        return s.Length - i == 6
            && TryDigits(s, i + 1, 2, out var offsetHours) && s[i + 3] == ':'
            && TryDigits(s, i + 4, 2, out var offsetMinutes)
            && offsetHours <= 23 && offsetMinutes <= 59;
    }

    private static int DaysInMonth(int year, int month) => month switch
    {
        2 => year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    private static bool TryDigits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            if (!IsDigit(s[i])) return false;
            value = value * 10 + (s[i] - '0');
        }
        return true;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';
}
