using EventRouter.Configuration;
using EventRouter.Delivery;
using Microsoft.Extensions.Options;

namespace EventRouter.Tests.Configuration;

public sealed class EventStorageOptionsValidatorTests
{
    private const string Secret = "SECRETKEY";

    [Theory]
    [InlineData("UseDevelopmentStorage=true")]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0LWtleS1ieXRlcw==;EndpointSuffix=core.windows.net")]
    [InlineData("QueueEndpoint=https://acct.queue.core.windows.net/;SharedAccessSignature=sv=2022-11-02&sig=abc")]
    public void Validate_ValidConnectionString_Succeeds(string connectionString)
    {
        var result = Validate(new EventStorageOptions { ConnectionString = connectionString });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("AccountKey=" + Secret)]
    [InlineData("AccountName=acct;AccountKey=" + Secret)]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + Secret + ";EndpointSuffix=core.windows.net")]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + Secret + ";QueueEndpoint=not a uri")]
    [InlineData("garbage " + Secret)]
    [InlineData(Secret)]
    [InlineData("AccountKey=" + Secret + ";;;=;")]
    public void Validate_InvalidConnectionString_FailsWithoutEchoingIt(string connectionString)
    {
        var result = Validate(new EventStorageOptions { ConnectionString = connectionString });

        Assert.True(result.Failed);
        Assert.Contains("EventStorage", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_WithConnectionString_DoesNotEchoIt()
    {
        var options = new EventStorageOptions { ConnectionString = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + Secret };

        Assert.DoesNotContain(Secret, options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NothingConfigured_FailsExplainingBothWays()
    {
        var result = Validate(new EventStorageOptions());

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains("EventStorage", failure);
        Assert.Contains("queueServiceUri", failure);
        Assert.Contains("UseDevelopmentStorage=true", failure);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_BlankConnectionStringWithoutUris_FailsAsNotSet(string blank)
    {
        var result = Validate(new EventStorageOptions { ConnectionString = blank });

        Assert.True(result.Failed);
        Assert.Contains("EventStorage is not set", result.FailureMessage);
    }

    [Fact]
    public void Validate_HttpsServiceUris_Succeeds()
    {
        var result = Validate(new EventStorageOptions
        {
            QueueServiceUri = new Uri("https://acct.queue.core.windows.net"),
            BlobServiceUri = new Uri("https://acct.blob.core.windows.net"),
        });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("http://acct.queue.core.windows.net")]
    [InlineData("ftp://acct.queue.core.windows.net")]
    [InlineData("invalid:not%20a%20uri")]
    public void Validate_QueueServiceUriNotHttps_NamesSetting(string uri)
    {
        var result = Validate(new EventStorageOptions { QueueServiceUri = new Uri(uri), BlobServiceUri = new Uri("https://acct.blob.core.windows.net") });

        AssertSingleFailure(result, "EventStorage__queueServiceUri", "absolute https URI");
    }

    [Fact]
    public void Validate_RelativeQueueServiceUri_NamesSetting()
    {
        var result = Validate(new EventStorageOptions { QueueServiceUri = new Uri("queues", UriKind.Relative), BlobServiceUri = new Uri("https://acct.blob.core.windows.net") });

        AssertSingleFailure(result, "EventStorage__queueServiceUri", "absolute https URI");
    }

    [Fact]
    public void Validate_QueueUriWithoutBlobUri_NamesBlobSetting()
    {
        var result = Validate(new EventStorageOptions { QueueServiceUri = new Uri("https://acct.queue.core.windows.net") });

        AssertSingleFailure(result, "EventStorage__blobServiceUri", "is required");
    }

    [Fact]
    public void Validate_BlobServiceUriNotHttps_NamesSetting()
    {
        var result = Validate(new EventStorageOptions
        {
            QueueServiceUri = new Uri("https://acct.queue.core.windows.net"),
            BlobServiceUri = new Uri("http://acct.blob.core.windows.net"),
        });

        AssertSingleFailure(result, "EventStorage__blobServiceUri", "absolute https URI");
    }

    [Fact]
    public void Validate_ConnectionStringWins_OverBadUris()
    {
        var result = Validate(new EventStorageOptions { ConnectionString = "UseDevelopmentStorage=true", QueueServiceUri = new Uri("http://x") });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    private static ValidateOptionsResult Validate(EventStorageOptions options) => new EventStorageOptionsValidator().Validate(null, options);

    private static void AssertSingleFailure(ValidateOptionsResult result, string setting, string problem)
    {
        Assert.True(result.Failed, "expected a failure naming " + setting);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains(setting, failure, StringComparison.Ordinal);
        Assert.Contains(problem, failure, StringComparison.Ordinal);
    }
}
