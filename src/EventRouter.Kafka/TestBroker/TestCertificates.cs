using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EventRouter.Kafka.TestBroker;

/// <summary>
/// A private CA and a broker certificate it signed, made fresh for each run with
/// <see cref="CertificateRequest"/> (ECDSA P-256, valid for a week). Clients trust the CA through
/// <see cref="CaPem"/> (<c>Kafka:SslCaPem</c>) or a file from <see cref="WriteCaPem"/>
/// (<c>ssl.ca.location</c>) and verify the broker's host name against <see cref="Names"/>.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    /// <summary>The names the broker certificate carries unless told otherwise.</summary>
    public static readonly IReadOnlyList<string> DefaultNames = ["127.0.0.1", "localhost"];

    private TestCertificates(X509Certificate2 ca, X509Certificate2 broker, IReadOnlyList<string> names)
    {
        Ca = ca;
        Broker = broker;
        Names = names;
        CaPem = ca.ExportCertificatePem() + "\n";
    }

    /// <summary>The CA certificate (public part only).</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>The broker certificate with its private key.</summary>
    public X509Certificate2 Broker { get; }

    /// <summary>The subject alternative names of <see cref="Broker"/>: IP addresses and DNS names.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The CA certificate as PEM text.</summary>
    public string CaPem { get; }

    /// <summary>A new CA and a broker certificate for <paramref name="names"/> (default 127.0.0.1 and localhost).</summary>
    public static TestCertificates Create(IReadOnlyList<string>? names = null)
    {
        names ??= DefaultNames;
        var notBefore = DateTimeOffset.UtcNow.AddHours(-1);
        var notAfter = DateTimeOffset.UtcNow.AddDays(7);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=EventRouter test CA " + Guid.NewGuid().ToString("N")[..8], caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var caWithKey = caRequest.CreateSelfSigned(notBefore, notAfter.AddDays(1));

        using var brokerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var brokerRequest = new CertificateRequest("CN=" + names[0], brokerKey, HashAlgorithmName.SHA256);
        brokerRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        brokerRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        brokerRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // server authentication
        brokerRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(brokerRequest.PublicKey, false));
        brokerRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caWithKey, true, false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var address)) san.AddIpAddress(address);
            else san.AddDnsName(name);
        }
        brokerRequest.CertificateExtensions.Add(san.Build());
        using var signed = brokerRequest.Create(caWithKey, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        using var brokerWithKey = signed.CopyWithPrivateKey(brokerKey);

        // Through PKCS#12 so the key is a persisted one that SslStream can use on every platform.
        var broker = X509CertificateLoader.LoadPkcs12(brokerWithKey.Export(X509ContentType.Pkcs12), null);
        var ca = X509CertificateLoader.LoadCertificate(caWithKey.RawData);
        return new TestCertificates(ca, broker, names);
    }

    /// <summary>Writes <see cref="CaPem"/> to <paramref name="path"/> (for <c>ssl.ca.location</c>) and returns the path.</summary>
    public string WriteCaPem(string path)
    {
        File.WriteAllText(path, CaPem);
        return path;
    }

    public void Dispose()
    {
        Ca.Dispose();
        Broker.Dispose();
    }
}
