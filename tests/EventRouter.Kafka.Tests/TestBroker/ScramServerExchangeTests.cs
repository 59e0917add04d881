using System.Security.Cryptography;
using System.Text;
using EventRouter.Kafka.TestBroker;

namespace EventRouter.Kafka.Tests.TestBroker;

/// <summary>The SCRAM server maths of the test broker's front, against RFC 7677's published exchange.</summary>
public sealed class ScramServerExchangeTests
{
    // RFC 7677 section 3: user "user", password "pencil".
    private const string ClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private const string ServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private const string ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string ClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string ServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private static readonly ScramCredential Pencil =
        ScramCredential.Create(HashAlgorithmName.SHA256, "pencil", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);

    private static ScramServerExchange Rfc7677Server(ScramCredential? credential = null)
        => new(HashAlgorithmName.SHA256, user => user == "user" ? credential ?? Pencil : null, () => ServerNonce);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Next_Rfc7677Sha256Exchange_SendsTheRfcServerFirstAndServerSignature()
    {
        var server = Rfc7677Server();

        var first = server.Next(Utf8(ClientFirst));
        var final = server.Next(Utf8(ClientFinal));

        Assert.False(first.Done);
        Assert.Equal(ServerFirst, Encoding.UTF8.GetString(first.Response));
        Assert.True(final.Authenticated);
        Assert.Equal(ServerFinal, Encoding.UTF8.GetString(final.Response));
        Assert.Equal("user", server.UserName);
    }

    [Fact]
    public void Create_Rfc7677Password_StoresOnlySaltIterationsAndKeys()
    {
        // StoredKey = H(HMAC(SaltedPassword, "Client Key")), recomputed here independently of the class.
        var salted = Rfc2898DeriveBytes.Pbkdf2("pencil"u8.ToArray(), Pencil.Salt, 4096, HashAlgorithmName.SHA256, 32);
        var storedKey = SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8));
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);

        Assert.Equal(storedKey, Pencil.StoredKey);
        Assert.Equal(serverKey, Pencil.ServerKey);
        Assert.Equal(4096, Pencil.Iterations);
    }

    [Fact]
    public void Next_WrongPassword_FailsWithKafkasMessageAndNoServerSignature()
    {
        var server = Rfc7677Server(ScramCredential.Create(HashAlgorithmName.SHA256, "pencil2", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ==")));

        server.Next(Utf8(ClientFirst));
        var final = server.Next(Utf8(ClientFinal));

        Assert.True(final.Done);
        Assert.False(final.Authenticated);
        Assert.Empty(final.Response);
        Assert.Equal("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256", final.Failure);
    }

    [Fact]
    public void Next_UnknownUser_GetsASaltAndFailsOnlyAtTheProof()
    {
        var server = Rfc7677Server();

        var first = server.Next(Utf8("n,,n=nobody,r=rOprNGfwEbeRWgbNEkqO"));
        var final = server.Next(Utf8(ClientFinal));

        Assert.False(first.Done);
        Assert.Contains(",s=", Encoding.UTF8.GetString(first.Response), StringComparison.Ordinal);
        Assert.Contains(",i=4096", Encoding.UTF8.GetString(first.Response), StringComparison.Ordinal);
        Assert.False(final.Authenticated);
        Assert.StartsWith("Authentication failed during authentication due to invalid credentials", final.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Next_ClientFinalNonceThatIsNotTheServers_Fails()
    {
        var server = Rfc7677Server();

        server.Next(Utf8(ClientFirst));
        var final = server.Next(Utf8(ClientFinal.Replace("k0,p=", "k1,p=", StringComparison.Ordinal)));

        Assert.False(final.Authenticated);
        Assert.Equal("SCRAM client-final nonce does not match the server's", final.Failure);
    }

    [Fact]
    public void Next_ClientFinalNonceRepeatingTheClientNonceInFront_IsAcceptedAsApacheKafkaDoes()
    {
        // librdkafka before 2.6.1 sends r=<client nonce><client nonce><server nonce> (librdkafka #4895).
        var server = new ScramServerExchange(HashAlgorithmName.SHA512, _ => ScramCredential.Create(HashAlgorithmName.SHA512, "secret"), () => "SERVER");
        var client = new ScramTestClient(HashAlgorithmName.SHA512, "alice", "secret", "CLIENT");

        var first = server.Next(Utf8(client.First()));
        var final = server.Next(Utf8(client.Final(Encoding.UTF8.GetString(first.Response), repeatClientNonce: true)));

        Assert.True(final.Authenticated, final.Failure);
        Assert.True(client.VerifyServerFinal(Encoding.UTF8.GetString(final.Response)));
    }

    [Theory]
    [InlineData("SHA256")]
    [InlineData("SHA512")]
    public void Next_IndependentClientWithTheRightPassword_AuthenticatesAndVerifiesTheServer(string hash)
    {
        var algorithm = new HashAlgorithmName(hash);
        var stored = ScramCredential.Create(algorithm, "p");
        var server = new ScramServerExchange(algorithm, user => user == "a,b=c" ? stored : null);
        var client = new ScramTestClient(algorithm, "a,b=c", "p", "fyko+d2lbbFgONRv9qkxdawL");

        var first = server.Next(Utf8(client.First()));
        var final = server.Next(Utf8(client.Final(Encoding.UTF8.GetString(first.Response))));

        Assert.True(final.Authenticated, final.Failure);
        Assert.Equal("a,b=c", server.UserName);
        Assert.True(client.VerifyServerFinal(Encoding.UTF8.GetString(final.Response)));
    }

    [Theory]
    [InlineData("n=user,r=abc")]                 // no GS2 header
    [InlineData("p=tls-unique,,n=user,r=abc")]   // channel binding asked for
    [InlineData("n,,r=abc,n=user")]              // attributes out of order
    [InlineData("n,,n=us=er,r=abc")]             // '=' not escaped
    [InlineData("n,,n=user,r=")]                 // empty nonce
    public void Next_MalformedClientFirst_Fails(string message)
    {
        var step = Rfc7677Server().Next(Utf8(message));

        Assert.True(step.Done);
        Assert.False(step.Authenticated);
    }

    [Fact]
    public void Next_ChannelBindingAttributeDifferentFromTheGs2Header_Fails()
    {
        var server = Rfc7677Server();

        server.Next(Utf8(ClientFirst));
        var final = server.Next(Utf8(ClientFinal.Replace("c=biws", "c=eSws", StringComparison.Ordinal)));

        Assert.Equal("SCRAM channel binding does not match the client-first message", final.Failure);
    }

    [Fact]
    public void Next_AfterTheExchange_Fails()
    {
        var server = Rfc7677Server();
        server.Next(Utf8(ClientFirst));
        server.Next(Utf8(ClientFinal));

        Assert.False(server.Next(Utf8(ClientFinal)).Authenticated);
    }

    [Theory]
    [InlineData("\0alice\0p", true)]
    [InlineData("alice\0alice\0p", true)]
    [InlineData("\0alice\0P", false)]
    [InlineData("\0alice\0", false)]
    [InlineData("\0bob\0p", false)]
    [InlineData("bob\0alice\0p", false)]
    [InlineData("alice p", false)]
    public void Plain_Next_ComparesUserAndPassword(string message, bool authenticated)
    {
        var server = new PlainServerExchange(new Dictionary<string, string> { ["alice"] = "p" });

        var step = server.Next(Utf8(message));

        Assert.True(step.Done);
        Assert.Equal(authenticated, step.Authenticated);
    }

    /// <summary>An RFC 5802 client written out step by step, independent of the server class.</summary>
    private sealed class ScramTestClient(HashAlgorithmName hash, string user, string password, string nonce)
    {
        private string _authMessage = "";
        private byte[] _salted = [];

        private string Bare => $"n={user.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal)},r={nonce}";

        public string First() => "n,," + Bare;

        public string Final(string serverFirst, bool repeatClientNonce = false)
        {
            var fields = serverFirst.Split(',').ToDictionary(f => f[..1], f => f[2..]);
            var length = hash == HashAlgorithmName.SHA512 ? 64 : 32;
            _salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(fields["s"]), int.Parse(fields["i"]), hash, length);
            var withoutProof = $"c=biws,r={(repeatClientNonce ? nonce : "")}{fields["r"]}";
            _authMessage = $"{Bare},{serverFirst},{withoutProof}";
            using var clientHmac = IncrementalHash.CreateHMAC(hash, _salted);
            clientHmac.AppendData("Client Key"u8);
            var clientKey = clientHmac.GetHashAndReset();
            var storedKey = hash == HashAlgorithmName.SHA512 ? SHA512.HashData(clientKey) : SHA256.HashData(clientKey);
            using var signatureHmac = IncrementalHash.CreateHMAC(hash, storedKey);
            signatureHmac.AppendData(Encoding.UTF8.GetBytes(_authMessage));
            var signature = signatureHmac.GetHashAndReset();
            var proof = clientKey.Zip(signature, (a, b) => (byte)(a ^ b)).ToArray();
            return $"{withoutProof},p={Convert.ToBase64String(proof)}";
        }

        public bool VerifyServerFinal(string serverFinal)
        {
            using var serverHmac = IncrementalHash.CreateHMAC(hash, _salted);
            serverHmac.AppendData("Server Key"u8);
            using var signatureHmac = IncrementalHash.CreateHMAC(hash, serverHmac.GetHashAndReset());
            signatureHmac.AppendData(Encoding.UTF8.GetBytes(_authMessage));
            return serverFinal == "v=" + Convert.ToBase64String(signatureHmac.GetHashAndReset());
        }
    }
}
