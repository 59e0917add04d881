using System.Text;
using EventRouter.Testing;
using EventRouter.Validation;

namespace EventRouter.Tests.Validation;

public sealed class Rfc3339Tests
{
    [Theory]
    [InlineData("2024-05-01T12:34:56Z")]
    [InlineData("2024-05-01t12:34:56z")]
    [InlineData("2024-05-01T12:34:56z")]
    [InlineData("2024-05-01t12:34:56Z")]
    [InlineData("2024-05-01T12:34:56+05:30")]
    [InlineData("2024-05-01T12:34:56-08:00")]
    [InlineData("2024-05-01T12:34:56+00:00")]
    [InlineData("2024-05-01T12:34:56-00:00")]
    [InlineData("2024-05-01T12:34:56+23:59")]
    [InlineData("2024-05-01T12:34:56.1Z")]
    [InlineData("2024-05-01T12:34:56.123456789Z")]
    [InlineData("2024-05-01T12:34:56.000000000000000001+01:00")]
    [InlineData("2016-12-31T23:59:60Z")]
    [InlineData("1990-12-31T15:59:60-08:00")]
    [InlineData("2024-02-29T00:00:00Z")]
    [InlineData("2000-02-29T00:00:00Z")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("0000-01-01T00:00:00Z")]           // date-fullyear is any 4DIGIT
    [InlineData("0000-02-29T00:00:00Z")]           // year 0000 is a leap year (RFC 3339 appendix C)
    [InlineData("9999-12-31T23:59:59Z")]
    public void IsValid_Rfc3339DateTime_ReturnsTrue(string text)
    {
        Assert.True(Rfc3339.IsValid(Encoding.UTF8.GetBytes(text)), text);
    }

    [Theory]
    [InlineData("2024-05-01T12:34:56")]            // no time zone
    [InlineData("2024-05-01T12:34:56.123")]        // no time zone after fraction
    [InlineData("2024-05-01 12:34:56Z")]           // space instead of T
    [InlineData("2024-05-01_12:34:56Z")]
    [InlineData("2024-02-30T00:00:00Z")]           // Feb 30
    [InlineData("2023-02-29T00:00:00Z")]           // not a leap year
    [InlineData("1900-02-29T00:00:00Z")]           // century, not a leap year
    [InlineData("2024-04-31T00:00:00Z")]
    [InlineData("2024-05-01T24:00:00Z")]           // hour 24
    [InlineData("2024-05-01T12:60:00Z")]
    [InlineData("2024-05-01T12:34:61Z")]
    [InlineData("2024-13-01T00:00:00Z")]
    [InlineData("2024-00-01T00:00:00Z")]
    [InlineData("2024-05-00T00:00:00Z")]
    [InlineData("2024-05-01T12:34:56.Z")]          // empty fraction
    [InlineData("2024-05-01T12:34:56,5Z")]         // comma fraction (ISO 8601, not RFC 3339)
    [InlineData("2024-05-01T12:34:56+0530")]       // offset without colon
    [InlineData("2024-05-01T12:34:56+05")]
    [InlineData("2024-05-01T12:34:56+24:00")]
    [InlineData("2024-05-01T12:34:56+05:60")]
    [InlineData("2024-05-01T12:34:56+05:30:00")]
    [InlineData("2024-05-01T12:34:56ZZ")]
    [InlineData("2024-05-01T12:34:56Z ")]
    [InlineData(" 2024-05-01T12:34:56Z")]
    [InlineData("2024-5-01T12:34:56Z")]
    [InlineData("24-05-01T12:34:56Z")]
    [InlineData("2024/05/01T12:34:56Z")]
    [InlineData("2024-05-01T12:34Z")]
    [InlineData("2024-05-01T1a:34:56Z")]
    [InlineData("+2024-05-01T12:34:56Z")]
    [InlineData("2024-05-01")]
    [InlineData("")]
    [InlineData("Wed, 01 May 2024 12:34:56 GMT")]
    public void IsValid_NotRfc3339_ReturnsFalse(string text)
    {
        Assert.False(Rfc3339.IsValid(Encoding.UTF8.GetBytes(text)), text);
    }

    [Fact]
    public void IsValid_EveryPrefixOfValidDateTime_ReturnsFalseWithoutThrowing()
    {
        var text = Encoding.UTF8.GetBytes("2024-05-01T12:34:56.789+05:30");

        for (var length = 0; length < text.Length; length++)
        {
            // The offset is last and all-or-nothing, so no proper prefix is a date-time.
            Assert.False(Rfc3339.IsValid(text.AsSpan(0, length)), Encoding.UTF8.GetString(text, 0, length));
        }
        Assert.True(Rfc3339.IsValid(text));
    }

    [Fact]
    public void IsValid_EveryDayOfCommonAndLeapYear_AgreesWithCalendar()
    {
        foreach (var year in new[] { 2023, 2024 })
        {
            for (var month = 1; month <= 12; month++)
            {
                for (var day = 1; day <= 31; day++)
                {
                    var text = $"{year:D4}-{month:D2}-{day:D2}T00:00:00Z";
                    var expected = day <= DateTime.DaysInMonth(year, month);

                    Assert.Equal(expected, Rfc3339.IsValid(Encoding.UTF8.GetBytes(text)));
                }
            }
        }
    }

    [Fact]
    public void IsValid_EveryByteValueAtEveryPosition_AgreesWithReference()
    {
        foreach (var valid in new[] { "2024-02-29T23:59:60.5+05:30", "0000-12-31t00:00:00z" })
        {
            var bytes = Encoding.UTF8.GetBytes(valid);
            for (var position = 0; position < bytes.Length; position++)
            {
                var original = bytes[position];
                for (var b = 0; b < 256; b++)
                {
                    bytes[position] = (byte)b;
                    Assert.True(ReferenceRfc3339.IsValid(bytes) == Rfc3339.IsValid(bytes), $"byte 0x{b:x2} at {position} of {valid}");
                }
                bytes[position] = original;
            }
        }
    }

    [Fact]
    public void IsValid_RandomDateTimesAndMutations_AgreeWithReference()
    {
        var rng = new Random(20261123);
        byte[] alphabet = "0123456789-:.+TtZz /"u8.ToArray();
        var accepted = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var text = $"{rng.Next(10_000):D4}-{rng.Next(14):D2}-{rng.Next(33):D2}T{rng.Next(26):D2}:{rng.Next(62):D2}:{rng.Next(62):D2}"
                + (rng.Next(2) == 0 ? "." + rng.Next(1_000_000) : "")
                + (rng.Next(3) == 0 ? "Z" : $"{(rng.Next(2) == 0 ? '+' : '-')}{rng.Next(25):D2}:{rng.Next(61):D2}");
            var bytes = Encoding.UTF8.GetBytes(text).ToList();
            for (var m = rng.Next(3); m > 0; m--)
            {
                var at = rng.Next(bytes.Count);
                switch (rng.Next(3))
                {
                    case 0: bytes[at] = alphabet[rng.Next(alphabet.Length)]; break;
                    case 1: bytes.Insert(at, alphabet[rng.Next(alphabet.Length)]); break;
                    default: bytes.RemoveAt(at); break;
                }
            }
            var value = bytes.ToArray();

            var actual = Rfc3339.IsValid(value);

            Assert.True(ReferenceRfc3339.IsValid(value) == actual, Encoding.UTF8.GetString(value));
            if (actual) accepted++;
        }
        // Both answers were compared, not only one.
        Assert.InRange(accepted, 5_000, 95_000);
    }
}
