namespace EventRouter.Cli.Sandbox;

/// <summary>Files the sandbox writes that hold a secret or a connection string: new, and readable by their owner only.</summary>
internal static class PrivateFile
{
    /// <summary>Creates <paramref name="path"/> (it must not exist yet) with mode 0600 where the platform has modes.</summary>
    public static FileStream Create(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new FileStream(path, options);
    }

    /// <summary>Creates <paramref name="path"/> as <see cref="Create"/> does and writes <paramref name="text"/> into it.</summary>
    public static void WriteAllText(string path, string text)
    {
        using var writer = new StreamWriter(Create(path));
        writer.Write(text);
    }
}
