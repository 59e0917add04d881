using System.Reflection;
using System.Runtime.InteropServices;

namespace EventRouter.Kafka;

/// <summary>
/// Loads the librdkafka that ships with EventRouter (the <c>librdkafka.redist</c> package) and points
/// Confluent.Kafka and our own P/Invoke (<see cref="MockKafkaCluster"/>) at that one file.
/// </summary>
/// <remarks>
/// Left to itself, Confluent.Kafka asks the loader for a library named <c>librdkafka</c>: the
/// loader tries the package's file, which on Debian fails (it links <c>libsasl2.so.3</c>), and
/// then any <c>librdkafka.so</c> on the system search path, so an old distribution build could run
/// silently. Here the file is chosen by path (<see cref="BundledCandidates"/>), the version is
/// checked against the one EventRouter was built and tested with, and a
/// <see cref="NativeLibrary.SetDllImportResolver"/> answers every librdkafka name with that handle.
/// <c>Confluent.Kafka.Library.Load(path)</c> is not used: it calls <c>dlopen</c> through a library
/// named <c>libdl</c>, which only exists where libc6-dev is installed.
/// </remarks>
public static class KafkaNativeLibrary
{
    /// <summary>Environment variable naming a librdkafka file to load instead of the bundled one.</summary>
    public const string PathVariable = "EVENTROUTER_LIBRDKAFKA_PATH";

    /// <summary>The oldest librdkafka EventRouter runs on: the release it was built and tested with.</summary>
    public static readonly Version MinimumVersion = new(2, 16, 0);

    private static readonly Lock Gate = new();
    private static nint _handle;
    private static string? _version;
    private static string? _path;
    private static KafkaNativeLibraryException? _failure;

    /// <summary>
    /// Loads librdkafka and points Confluent.Kafka at it. Safe to call any number of times from any
    /// thread; every Kafka entry point in EventRouter calls it first.
    /// </summary>
    /// <exception cref="KafkaNativeLibraryException">No usable librdkafka: none found, one that does not load, or one older than <see cref="MinimumVersion"/>. The message names the file.</exception>
    public static void EnsureLoaded()
    {
        if (Volatile.Read(ref _version) is not null)
        {
            return;
        }

        lock (Gate)
        {
            if (_version is not null)
            {
                return;
            }

            // A failed load cannot be retried in this process (the resolver is installed once).
            if (_failure is not null)
            {
                throw _failure;
            }

            try
            {
                Load();
            }
            catch (KafkaNativeLibraryException ex)
            {
                _failure = ex;
                throw;
            }
        }
    }

    /// <summary>The loaded librdkafka version, e.g. <c>2.16.0</c>. Loads the library if needed.</summary>
    public static string Version
    {
        get
        {
            EnsureLoaded();
            return _version!;
        }
    }

    /// <summary>The full path of the loaded librdkafka file. Loads the library if needed.</summary>
    public static string LoadedPath
    {
        get
        {
            EnsureLoaded();
            return _path!;
        }
    }

    /// <summary>The native handle of the loaded library (for our own P/Invoke in <see cref="MockKafkaCluster"/>).</summary>
    internal static nint Handle
    {
        get
        {
            EnsureLoaded();
            return _handle;
        }
    }

    /// <summary>Looks up an exported librdkafka function.</summary>
    internal static nint GetExport(string name)
    {
        if (!NativeLibrary.TryGetExport(Handle, name, out var address))
        {
            throw new EntryPointNotFoundException($"{name} is not exported by librdkafka {_version} ({_path}).");
        }

        return address;
    }

    /// <summary>
    /// The bundled files to try, best first, for this operating system and processor: the package's
    /// layout under <c>runtimes/&lt;rid&gt;/native</c> (a framework-dependent build) and the same names
    /// next to the application (a publish for one runtime flattens them there).
    /// </summary>
    internal static IReadOnlyList<string> BundledCandidates(string baseDirectory, OSPlatform os, Architecture architecture, bool musl)
    {
        var arch = architecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            Architecture.S390x => "s390x",
            _ => architecture.ToString().ToLowerInvariant(),
        };

        string rid;
        string[] names;
        if (os == OSPlatform.Windows)
        {
            rid = $"win-{arch}";
            names = ["librdkafka.dll"];
        }
        else if (os == OSPlatform.OSX)
        {
            rid = $"osx-{arch}";
            names = ["librdkafka.dylib"];
        }
        else
        {
            rid = $"linux-{arch}";
            // On glibc the self-contained build (OpenSSL, SASL PLAIN and SCRAM, zstd built in) comes
            // first: it needs nothing from the distribution, so it behaves alike on every machine and is
            // the one our tests run. The default build links the system's Cyrus SASL (libsasl2.so.3) for
            // GSSAPI, which Debian does not ship, and is the fallback where the other is absent.
            names = musl ? ["alpine-librdkafka.so"] : ["centos8-librdkafka.so", "librdkafka.so"];
        }

        var folders = new[] { Path.Combine(baseDirectory, "runtimes", rid, "native"), baseDirectory };
        return [.. folders.SelectMany(folder => names.Select(name => Path.Combine(folder, name)))];
    }

    /// <summary>Why <paramref name="version"/> cannot be used, or null when it can.</summary>
    internal static string? RejectionFor(string path, string versionText)
    {
        if (!TryParseVersion(versionText, out var version))
        {
            return $"librdkafka at {path} reports the version '{versionText}', which EventRouter cannot read; it needs librdkafka {MinimumVersion} or later.";
        }

        return version < MinimumVersion
            ? $"librdkafka {versionText} at {path} is older than {MinimumVersion}, the version EventRouter was built and tested with. " +
              $"Use the librdkafka that ships with EventRouter (unset {PathVariable}, and keep the runtimes folder of the build output) or point {PathVariable} at librdkafka {MinimumVersion} or later."
            : null;
    }

    /// <summary>Reads <c>2.16.0</c>, <c>2.16.0-RC1</c> or <c>2.16.0.1</c> as its first three numbers.</summary>
    internal static bool TryParseVersion(string text, out Version version)
    {
        version = new Version(0, 0, 0);
        var numbers = text.Split('-', 2)[0].Split('.');
        if (numbers.Length < 2) return false;
        var parts = new int[3];
        for (var i = 0; i < Math.Min(3, numbers.Length); i++)
        {
            if (!int.TryParse(numbers[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out parts[i])) return false;
        }

        version = new Version(parts[0], parts[1], parts[2]);
        return true;
    }

    private static void Load()
    {
        var (path, handle) = LoadFile();
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // Another component installed a resolver for Confluent.Kafka first. The version check
            // below reads the library Confluent.Kafka actually bound to, so a different one fails it.
        }

        _handle = handle;
        string version;
        try
        {
            // Forces Confluent.Kafka to bind its delegates now, so a failure surfaces here with a
            // clear message instead of inside the first consumer's constructor.
            version = Confluent.Kafka.Library.VersionString;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException or TypeInitializationException or FileLoadException)
        {
            throw new KafkaNativeLibraryException($"Confluent.Kafka could not use librdkafka at {path}: {ex.Message}", ex);
        }

        if (RejectionFor(path, version) is { } rejection)
        {
            throw new KafkaNativeLibraryException(rejection);
        }

        var ours = ReadVersion(handle);
        if (!string.Equals(ours, version, StringComparison.Ordinal))
        {
            throw new KafkaNativeLibraryException(
                $"Confluent.Kafka is bound to librdkafka {version}, not to the file EventRouter loaded ({path}, {ours}): something loaded librdkafka before EventRouter did.");
        }

        _path = path;
        Volatile.Write(ref _version, version);
    }

    private static (string Path, nint Handle) LoadFile()
    {
        var overridePath = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(overridePath))
        {
            var full = Path.GetFullPath(overridePath);
            if (!File.Exists(full))
            {
                throw new KafkaNativeLibraryException($"{PathVariable} names {full}, which does not exist.");
            }

            return NativeLibrary.TryLoad(full, out var chosen)
                ? (full, chosen)
                : throw new KafkaNativeLibraryException($"{PathVariable} names {full}, which could not be loaded as a shared library.");
        }

        var os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? OSPlatform.Windows
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? OSPlatform.OSX
            : OSPlatform.Linux;
        var musl = RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.OrdinalIgnoreCase) || File.Exists("/etc/alpine-release");
        var baseDirectory = Path.GetDirectoryName(typeof(Confluent.Kafka.Library).Assembly.Location) is { Length: > 0 } dir ? dir : AppContext.BaseDirectory;

        var tried = new List<string>();
        foreach (var candidate in BundledCandidates(baseDirectory, os, RuntimeInformation.ProcessArchitecture, musl))
        {
            if (!File.Exists(candidate))
            {
                continue;
            }

            if (NativeLibrary.TryLoad(candidate, out var handle))
            {
                return (candidate, handle);
            }

            tried.Add(candidate);
        }

        throw new KafkaNativeLibraryException(tried.Count == 0
            ? $"The librdkafka that ships with EventRouter was not found under {baseDirectory} (runtimes/<platform>/native, from the librdkafka.redist package): the build output is incomplete, or {RuntimeInformation.RuntimeIdentifier} is a platform it does not cover. Set {PathVariable} to a librdkafka {MinimumVersion} or later."
            : $"The bundled librdkafka could not be loaded ({string.Join(", ", tried)}). Set {PathVariable} to a librdkafka {MinimumVersion} or later built for this machine.");
    }

    private static unsafe string ReadVersion(nint handle)
    {
        if (!NativeLibrary.TryGetExport(handle, "rd_kafka_version_str", out var export))
        {
            return "(no rd_kafka_version_str)";
        }

        var versionString = (delegate* unmanaged[Cdecl]<nint>)export;
        return Marshal.PtrToStringUTF8(versionString()) ?? string.Empty;
    }

    // Confluent.Kafka P/Invokes "librdkafka" and, as fallbacks, "centos8-librdkafka" and
    // "alpine-librdkafka": each gets the file loaded above.
    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
        => libraryName.Contains("librdkafka", StringComparison.OrdinalIgnoreCase) ? _handle : 0;
}

/// <summary>No usable librdkafka: the message says which file was tried and what to do.</summary>
public sealed class KafkaNativeLibraryException : Exception
{
    public KafkaNativeLibraryException(string message) : base(message) { }

    public KafkaNativeLibraryException(string message, Exception innerException) : base(message, innerException) { }
}
