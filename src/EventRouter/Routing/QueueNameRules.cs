namespace EventRouter.Routing;

/// <summary>Azure Storage queue naming rules, checked for every configured queue at start-up.</summary>
public static class QueueNameRules
{
    /// <summary>Longest name a routed queue may have so that its <c>-poison</c> twin still fits in 63.</summary>
    public const int MaxRoutedQueueNameLength = 63 - 7;

    /// <summary>Returns null when <paramref name="name"/> is a valid queue name, else why not.</summary>
    public static string? Validate(string? name, int maxLength = 63)
    {
        if (string.IsNullOrEmpty(name)) return "is empty";
        if (name.Length < 3) return $"'{name}' is shorter than 3 characters";
        if (name.Length > maxLength)
        {
            return maxLength == MaxRoutedQueueNameLength
                ? $"'{name}' is longer than {maxLength} characters (its '-poison' twin must fit Azure's 63)"
                : $"'{name}' is longer than {maxLength} characters";
        }
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-';
            if (!ok) return $"'{name}' may contain only lowercase letters, digits and hyphens";
            if (c == '-' && (i == 0 || i == name.Length - 1)) return $"'{name}' must start and end with a letter or digit";
            if (c == '-' && name[i - 1] == '-') return $"'{name}' must not contain consecutive hyphens";
        }
        return null;
    }
}
