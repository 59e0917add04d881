using System.Reflection;
using System.Runtime.InteropServices;

namespace EventRouter.Kafka;

/// <summary>
/// Makes Confluent.Kafka 1.9.3 use the operating system's librdkafka (<c>librdkafka.so.1</c>, Debian
/// package <c>librdkafka1</c>) instead of the <c>librdkafka.redist</c> package, which our NuGet feed
/// lacks.
/// </summary>
/// <remarks>
/// Confluent.Kafka P/Invokes a library named <c>librdkafka</c> (and <c>centos7-librdkafka</c>,
/// <c>centos6-librdkafka</c>, <c>alpine-librdkafka</c> variants). Only the <c>-dev</c> package
/// installs a <c>librdkafka.so</c> link, and <c>Confluent.Kafka.Library.Load(path)</c> cannot be used
/// because it calls <c>dlopen</c> through a library named <c>libdl</c>, which Debian 12 does not have.
/// So we install a <see cref="NativeLibrary.SetDllImportResolver"/> on the Confluent.Kafka assembly
/// that answers every librdkafka name with the handle of the system library.
/// </remarks>
public static class KafkaNativeLibrary
{
    /// <summary>The shared library the Debian <c>librdkafka1</c> package installs.</summary>
    public const string LibraryFileName = "librdkafka.so.1";

    // Tried in order: the Debian/Ubuntu soname, the -dev link, then macOS and Windows names for
    // developers who installed librdkafka another way.
    private static readonly string[] Candidates = [LibraryFileName, "librdkafka.so", "librdkafka.dylib", "librdkafka.dll"];

    private static readonly Lock Gate = new();
    private static nint _handle;
    private static string? _version;

    /// <summary>
    /// Loads librdkafka and points Confluent.Kafka at it. Safe to call any number of times from any
    /// thread; every Kafka entry point in EventRouter calls it first.
    /// </summary>
    /// <exception cref="DllNotFoundException">librdkafka is not installed; the message says how to install it.</exception>
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

            _handle = LoadSystemLibrary();
            try
            {
                NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, Resolve);
            }
            catch (InvalidOperationException)
            {
                // Another component installed a resolver for Confluent.Kafka first. Keep it; the
                // version probe below tells us whether it works.
            }

            try
            {
                // Forces Confluent.Kafka to bind its delegates now, so a failure surfaces here with a
                // clear message instead of inside the first consumer's constructor.
                _version = Confluent.Kafka.Library.VersionString;
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException or TypeInitializationException)
            {
                throw new DllNotFoundException(
                    $"Confluent.Kafka could not bind to librdkafka ({LibraryFileName}): {ex.Message}", ex);
            }
        }
    }

    /// <summary>The loaded librdkafka version, e.g. <c>2.0.2</c>. Loads the library if needed.</summary>
    public static string Version
    {
        get
        {
            EnsureLoaded();
            return _version!;
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
            throw new EntryPointNotFoundException(
                $"{name} is not exported by the loaded librdkafka {_version}; EventRouter needs librdkafka 2.0 or later with the mock cluster API.");
        }

        return address;
    }

    private static nint LoadSystemLibrary()
    {
        foreach (var candidate in Candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }

        throw new DllNotFoundException(
            $"librdkafka ({LibraryFileName}) was not found. EventRouter uses the operating system's librdkafka: " +
            "install it with 'sudo apt-get install librdkafka1' (Debian/Ubuntu), or put a librdkafka 2.x shared " +
            "library on the loader path (LD_LIBRARY_PATH).");
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
        => libraryName.Contains("librdkafka", StringComparison.OrdinalIgnoreCase) ? _handle : 0;
}
