using System.Security.Cryptography;
using System.Text;

namespace EventRouter.Kafka.TestBroker;

/// <summary>The SASL mechanisms the <see cref="SaslSslFront"/> serves, by their wire names.</summary>
public static class SaslMechanismNames
{
    public const string Plain = "PLAIN";
    public const string ScramSha256 = "SCRAM-SHA-256";
    public const string ScramSha512 = "SCRAM-SHA-512";

    public static readonly IReadOnlyList<string> All = [Plain, ScramSha256, ScramSha512];

    /// <summary>The wire name of <paramref name="mechanism"/>.</summary>
    public static string Of(KafkaSaslMechanism mechanism) => mechanism switch
    {
        KafkaSaslMechanism.Plain => Plain,
        KafkaSaslMechanism.ScramSha256 => ScramSha256,
        _ => ScramSha512,
    };
}

/// <summary>
/// A user's SCRAM credential as a broker stores it (Kafka keeps exactly these four values in
/// ZooKeeper/KRaft, never the password): salt, iteration count, StoredKey and ServerKey (RFC 5802 §3).
/// </summary>
public sealed record ScramCredential(byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey)
{
    /// <summary>Kafka's minimum and default for SCRAM credentials.</summary>
    public const int DefaultIterations = 4096;

    /// <summary>Derives the stored credential from a password (what <c>kafka-configs --add-config SCRAM-SHA-512=[password=...]</c> does).</summary>
    public static ScramCredential Create(HashAlgorithmName hash, string password, byte[]? salt = null, int iterations = DefaultIterations)
    {
        salt ??= RandomNumberGenerator.GetBytes(32);
        var length = ScramServerExchange.HashLength(hash);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, hash, length);
        var clientKey = ScramServerExchange.Hmac(hash, salted, "Client Key"u8);
        var storedKey = ScramServerExchange.Hash(hash, clientKey);
        var serverKey = ScramServerExchange.Hmac(hash, salted, "Server Key"u8);
        CryptographicOperations.ZeroMemory(salted);
        return new ScramCredential(salt, iterations, storedKey, serverKey);
    }
}

/// <summary>One step's outcome of a server-side SASL exchange.</summary>
/// <param name="Response">The bytes to send back (server-first, server-final, or empty).</param>
/// <param name="Done">The exchange is over (then <paramref name="Authenticated"/> says how).</param>
/// <param name="Authenticated">The client proved the password.</param>
/// <param name="Failure">Why it failed, for the broker's error message; never contains what the client sent as proof or password.</param>
public readonly record struct SaslStep(byte[] Response, bool Done, bool Authenticated, string? Failure)
{
    public static SaslStep Continue(byte[] response) => new(response, false, false, null);
    public static SaslStep Success(byte[] response) => new(response, true, true, null);
    public static SaslStep Fail(string failure) => new([], true, false, failure);
}

/// <summary>The server side of one SASL exchange.</summary>
public interface ISaslServerExchange
{
    /// <summary>The user name the client gave (null before the first message).</summary>
    string? UserName { get; }

    SaslStep Next(ReadOnlySpan<byte> clientMessage);
}

/// <summary>SASL/PLAIN (RFC 4616): one message <c>[authzid] NUL user NUL password</c>, compared in constant time.</summary>
public sealed class PlainServerExchange(IReadOnlyDictionary<string, string> users) : ISaslServerExchange
{
    private bool _done;

    public string? UserName { get; private set; }

    public SaslStep Next(ReadOnlySpan<byte> clientMessage)
    {
        if (_done) return SaslStep.Fail("the PLAIN exchange is already over");
        _done = true;
        var first = clientMessage.IndexOf((byte)0);
        var second = first < 0 ? -1 : clientMessage[(first + 1)..].IndexOf((byte)0);
        if (second < 0) return SaslStep.Fail("malformed PLAIN message");
        var authzid = Encoding.UTF8.GetString(clientMessage[..first]);
        var user = Encoding.UTF8.GetString(clientMessage.Slice(first + 1, second));
        var password = clientMessage[(first + 2 + second)..];
        UserName = user;
        // Kafka's PlainServer: an authorization id, if given, must be the user itself.
        if (authzid.Length > 0 && authzid != user) return SaslStep.Fail("Authentication failed: Client requested an authorization id that is different from username");
        var expected = Encoding.UTF8.GetBytes(users.TryGetValue(user, out var known) ? known : "");
        // Compare hashes so that the comparison's time says nothing about the length either.
        var ok = known is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(password), SHA256.HashData(expected));
        return ok ? SaslStep.Success([]) : SaslStep.Fail("Authentication failed: Invalid username or password");
    }
}

/// <summary>
/// SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677), server side: client-first → server-first
/// (combined nonce, salt, iterations), client-final → proof verified against the stored key and the
/// server signature sent (<c>v=...</c>). Channel binding is not offered (Kafka offers none).
/// </summary>
/// <remarks>
/// The client-final nonce must <em>end with</em> the combined nonce the server sent, as Apache Kafka
/// checks since CVE-2024-56128, rather than equal it: librdkafka before 2.6.1 (Debian's kcat on
/// 2.0.2) repeats the client nonce in front of it (librdkafka #4895). An unknown user gets a
/// made-up salt and fails at the proof, as a broker does, so the answer does not tell which users exist.
/// </remarks>
public sealed class ScramServerExchange : ISaslServerExchange
{
    private readonly HashAlgorithmName _hash;
    private readonly Func<string, ScramCredential?> _credentials;
    private readonly Func<string> _serverNonce;
    private State _state = State.ExpectClientFirst;
    private ScramCredential? _credential;
    private bool _knownUser;
    private string _gs2Header = "";
    private string _clientFirstBare = "";
    private string _serverFirst = "";
    private string _nonce = "";

    /// <param name="hash">SHA256 or SHA512.</param>
    /// <param name="credentials">The stored credential of a user name, null for an unknown user.</param>
    /// <param name="serverNonce">Makes the server's part of the nonce (tests fix it to reproduce RFC 7677's example).</param>
    public ScramServerExchange(HashAlgorithmName hash, Func<string, ScramCredential?> credentials, Func<string>? serverNonce = null)
    {
        if (hash != HashAlgorithmName.SHA256 && hash != HashAlgorithmName.SHA512) throw new ArgumentException("SCRAM here is SHA-256 or SHA-512.", nameof(hash));
        _hash = hash;
        _credentials = credentials;
        _serverNonce = serverNonce ?? (() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));
    }

    private enum State { ExpectClientFirst, ExpectClientFinal, Done }

    public string? UserName { get; private set; }

    public string MechanismName => _hash == HashAlgorithmName.SHA256 ? SaslMechanismNames.ScramSha256 : SaslMechanismNames.ScramSha512;

    public SaslStep Next(ReadOnlySpan<byte> clientMessage)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(clientMessage);
        }
        catch (DecoderFallbackException)
        {
            _state = State.Done;
            return SaslStep.Fail("SCRAM message is not UTF-8");
        }

        switch (_state)
        {
            case State.ExpectClientFirst:
                return ClientFirst(text);
            case State.ExpectClientFinal:
                _state = State.Done;
                return ClientFinal(text);
            default:
                return SaslStep.Fail("the SCRAM exchange is already over");
        }
    }

    private SaslStep ClientFirst(string message)
    {
        // gs2-header = gs2-cbind-flag "," [ authzid ] ","
        var firstComma = message.IndexOf(',', StringComparison.Ordinal);
        var secondComma = firstComma < 0 ? -1 : message.IndexOf(',', firstComma + 1);
        if (secondComma < 0) return Failed("malformed SCRAM client-first message");
        var cbindFlag = message[..firstComma];
        if (cbindFlag is not ("n" or "y")) return Failed("SCRAM channel binding is not supported");
        _gs2Header = message[..(secondComma + 1)];
        _clientFirstBare = message[(secondComma + 1)..];

        var attributes = _clientFirstBare.Split(',');
        if (attributes.Length < 2 || !attributes[0].StartsWith("n=", StringComparison.Ordinal) || !attributes[1].StartsWith("r=", StringComparison.Ordinal) || attributes[1].Length == 2)
            return Failed("malformed SCRAM client-first message");
        var user = UnescapeName(attributes[0][2..]);
        if (user is null) return Failed("malformed SCRAM user name");
        UserName = user;
        var clientNonce = attributes[1][2..];

        _credential = _credentials(user);
        _knownUser = _credential is not null;
        // An unknown user still gets a salt and iterations, so this answer does not tell who exists.
        _credential ??= new ScramCredential(RandomNumberGenerator.GetBytes(32), ScramCredential.DefaultIterations,
            RandomNumberGenerator.GetBytes(HashLength(_hash)), RandomNumberGenerator.GetBytes(HashLength(_hash)));

        _nonce = clientNonce + _serverNonce();
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_credential.Salt)},i={_credential.Iterations}";
        _state = State.ExpectClientFinal;
        return SaslStep.Continue(Encoding.UTF8.GetBytes(_serverFirst));
    }

    private SaslStep ClientFinal(string message)
    {
        var proofAt = message.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0) return Failed("SCRAM client-final message without a proof");
        var withoutProof = message[..proofAt];
        var attributes = withoutProof.Split(',');
        if (attributes.Length < 2 || !attributes[0].StartsWith("c=", StringComparison.Ordinal) || !attributes[1].StartsWith("r=", StringComparison.Ordinal))
            return Failed("malformed SCRAM client-final message");
        if (attributes[0][2..] != Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header)))
            return Failed("SCRAM channel binding does not match the client-first message");
        if (!attributes[1][2..].EndsWith(_nonce, StringComparison.Ordinal))
            return Failed("SCRAM client-final nonce does not match the server's");

        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(message[(proofAt + 3)..]);
        }
        catch (FormatException)
        {
            return Failed("SCRAM proof is not Base64");
        }

        var credential = _credential!;
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        var clientSignature = Hmac(_hash, credential.StoredKey, authMessage);
        if (proof.Length != clientSignature.Length) return Failed(InvalidCredentials);
        var clientKey = new byte[proof.Length];
        for (var i = 0; i < proof.Length; i++) clientKey[i] = (byte)(proof[i] ^ clientSignature[i]);
        var proven = CryptographicOperations.FixedTimeEquals(Hash(_hash, clientKey), credential.StoredKey) & _knownUser;
        if (!proven) return Failed(InvalidCredentials);

        var serverSignature = Hmac(_hash, credential.ServerKey, authMessage);
        return SaslStep.Success(Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(serverSignature)));
    }

    // Kafka's own text for a failed SCRAM proof.
    private string InvalidCredentials => $"Authentication failed during authentication due to invalid credentials with SASL mechanism {MechanismName}";

    private SaslStep Failed(string why)
    {
        _state = State.Done;
        return SaslStep.Fail(why);
    }

    /// <summary>RFC 5802 saslname: <c>=2C</c> is ',' and <c>=3D</c> is '='; any other '=' is an error.</summary>
    internal static string? UnescapeName(string name)
    {
        var text = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] != '=')
            {
                text.Append(name[i]);
                continue;
            }
            if (i + 2 >= name.Length) return null;
            var code = name.Substring(i + 1, 2);
            if (code == "2C") text.Append(',');
            else if (code == "3D") text.Append('=');
            else return null;
            i += 2;
        }
        return text.ToString();
    }

    internal static int HashLength(HashAlgorithmName hash) => hash == HashAlgorithmName.SHA512 ? 64 : 32;

    internal static byte[] Hmac(HashAlgorithmName hash, byte[] key, ReadOnlySpan<byte> data)
        => hash == HashAlgorithmName.SHA512 ? HMACSHA512.HashData(key, data) : HMACSHA256.HashData(key, data);

    internal static byte[] Hash(HashAlgorithmName hash, byte[] data)
        => hash == HashAlgorithmName.SHA512 ? SHA512.HashData(data) : SHA256.HashData(data);
}
