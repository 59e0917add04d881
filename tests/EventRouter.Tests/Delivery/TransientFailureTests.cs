using System.Net.Sockets;
using Azure;
using EventRouter.Delivery;

namespace EventRouter.Tests.Delivery;

public sealed class TransientFailureTests
{
    [Theory]
    [InlineData(0, true)]      // no response at all
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(409, false)]
    [InlineData(413, false)]
    public void IsTransient_RequestFailedStatus_ClassifiedByStatus(int status, bool transient)
    {
        Assert.Equal(transient, TransientFailure.IsTransient(new RequestFailedException(status, "x")));
    }

    public static TheoryData<Exception, bool> OtherExceptions => new()
    {
        { new TimeoutException(), true },
        { new IOException(), true },
        { new SocketException((int)SocketError.ConnectionRefused), true },
        { new HttpRequestException("refused"), true },
        { new TaskCanceledException("network timeout"), true },
        { new InvalidOperationException(), false },
        { new ArgumentException(), false },
        { new UnauthorizedAccessException(), false },
        { new InvalidOperationException("wrapper", new TimeoutException()), true },
        { new InvalidOperationException("wrapper", new RequestFailedException(403, "no")), false },
        { new AggregateException(new RequestFailedException(503, "a"), new TimeoutException()), true },
        { new AggregateException(new RequestFailedException(503, "a"), new RequestFailedException(403, "b")), false },
    };

    [Theory]
    [MemberData(nameof(OtherExceptions))]
    public void IsTransient_OtherExceptions_ClassifiedByTypeOrCause(Exception exception, bool transient)
    {
        Assert.Equal(transient, TransientFailure.IsTransient(exception));
    }
}
