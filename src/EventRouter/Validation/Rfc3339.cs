namespace EventRouter.Validation;

/// <summary>
/// RFC 3339 <c>date-time</c> (section 5.6) checked on UTF-8 bytes without allocating:
/// <c>YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)</c>. As the RFC allows, <c>t</c> and <c>z</c> may be
/// lowercase and the seconds may be 60 (a leap second). A space instead of <c>T</c>, a missing
/// offset, or an impossible calendar date are rejected.
/// </summary>
internal static class Rfc3339
{
    // Shortest: 2024-01-01T00:00:00Z (20 bytes).
    private const int MinLength = 20;

    public static bool IsValid(ReadOnlySpan<byte> s)
    {
        if (s.Length < MinLength) return false;
        // Every position of YYYY-MM-DDTHH:MM:SS is fixed, so each field is read where it must be,
        // with the checks of one field combined by non-short-circuit & (no branch per digit).
        var fixedPartOk =
            TwoDigits(s[0], s[1], out var century) & TwoDigits(s[2], s[3], out var yearOfCentury) & s[4] == '-' &
            TwoDigits(s[5], s[6], out var month) & s[7] == '-' &
            TwoDigits(s[8], s[9], out var day) & (s[10] is (byte)'T' or (byte)'t') &
            TwoDigits(s[11], s[12], out var hour) & s[13] == ':' &
            TwoDigits(s[14], s[15], out var minute) & s[16] == ':' &
            TwoDigits(s[17], s[18], out var second);
        if (!fixedPartOk) return false;
        // date-fullyear is any 4DIGIT, 0000 included (RFC 3339 appendix C leap rule: 0000 is a leap year);
        // DateTime.DaysInMonth would throw for year 0.
        if (month is < 1 or > 12 || day < 1 || day > DaysInMonth(century * 100 + yearOfCentury, month)) return false;
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
            && TwoDigits(s[i + 1], s[i + 2], out var offsetHours) && s[i + 3] == ':'
            && TwoDigits(s[i + 4], s[i + 5], out var offsetMinutes)
            && offsetHours <= 23 && offsetMinutes <= 59;
    }

    private static int DaysInMonth(int year, int month) => month switch
    {
        2 => year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    /// <summary>Two ASCII digits as a number 0..99; false (value meaningless) when either is not a digit.</summary>
    private static bool TwoDigits(byte tens, byte ones, out int value)
    {
        // As unsigned, anything below '0' wraps to a large number, so one comparison per byte.
        var t = (uint)(tens - '0');
        var o = (uint)(ones - '0');
        value = (int)(t * 10 + o);
        return (t <= 9) & (o <= 9);
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';
}
