namespace EventRouter.Cli.Sandbox;

/// <summary>The CA (for <c>ssl.ca.location</c>) and the password, as user-only files for the kcat line; deleted on stop.</summary>
internal sealed class KcatFiles : IDisposable
{
    private KcatFiles(string caPath, string passwordPath)
    {
        CaPath = caPath;
        PasswordPath = passwordPath;
    }

    public string CaPath { get; }
    public string PasswordPath { get; }

    public static KcatFiles Write(string directory, string caPem, string password)
    {
        var files = new KcatFiles(Path.Combine(directory, "ca.pem"), Path.Combine(directory, "kafka-password"));
        PrivateFile.WriteAllText(files.CaPath, caPem);
        PrivateFile.WriteAllText(files.PasswordPath, password);
        return files;
    }

    public void Dispose()
    {
        File.Delete(CaPath);
        File.Delete(PasswordPath);
    }
}
