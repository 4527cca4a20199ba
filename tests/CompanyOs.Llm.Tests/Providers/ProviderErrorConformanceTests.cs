using CompanyOs.Emulator;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Errors;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Providers;

/// <summary>Every injected fault surfaces as a <see cref="ProviderException"/> with kind, status, provider, retriability and wait.</summary>
public abstract class ProviderErrorConformanceTests : ProviderToolConformanceTests
{
    public static TheoryData<string, bool, ProviderErrorKind, int?, bool> StatusFaults => new()
    {
        // fault, streaming, kind, status, retriable
        { "429", false, ProviderErrorKind.RateLimited, 429, true },
        { "429", true, ProviderErrorKind.RateLimited, 429, true },
        { "500", false, ProviderErrorKind.ServerError, 500, true },
        { "500", true, ProviderErrorKind.ServerError, 500, true },
        { "503", false, ProviderErrorKind.Unavailable, 503, true },
        { "529", false, ProviderErrorKind.Overloaded, 529, true },
        { "529", true, ProviderErrorKind.Overloaded, 529, true },
        { "401", false, ProviderErrorKind.Authentication, 401, false },
        { "400", false, ProviderErrorKind.BadRequest, 400, false },
        { "400", true, ProviderErrorKind.BadRequest, 400, false },
        { "404", false, ProviderErrorKind.NotFound, 404, false },
    };

    [Theory]
    [MemberData(nameof(StatusFaults))]
    public async Task Status_faults_map_to_typed_provider_errors(string fault, bool streaming, ProviderErrorKind kind, int? status, bool retriable)
    {
        Emulator.Faults.Enqueue(Fault.Status(int.Parse(fault, System.Globalization.CultureInfo.InvariantCulture)), provider: Wire);

        var e = await Fails(streaming);

        Assert.Equal(kind, e.Kind);
        Assert.Equal(status, e.StatusCode);
        Assert.Equal(retriable, e.IsRetriable);
        Assert.Equal($"test-{Kind.ToString().ToLowerInvariant()}", e.Provider);
        Assert.DoesNotContain(ApiKey, e.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rate_limit_carries_retry_after_seconds(bool streaming)
    {
        Emulator.Faults.Enqueue(Fault.RateLimited(TimeSpan.FromSeconds(7)), provider: Wire);

        var e = await Fails(streaming);

        Assert.Equal(ProviderErrorKind.RateLimited, e.Kind);
        Assert.Equal(TimeSpan.FromSeconds(7), e.RetryAfter);
    }

    [Fact]
    public async Task Rate_limit_carries_retry_after_http_date()
    {
        Emulator.Faults.Enqueue(Fault.RateLimited(TimeSpan.FromSeconds(30), retryAfterAsHttpDate: true), provider: Wire);

        var e = await Fails(streaming: false);

        Assert.NotNull(e.RetryAfter);
        Assert.InRange(e.RetryAfter.Value.TotalSeconds, 27, 31);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Connection_reset_is_a_retriable_connection_failure(bool streaming)
    {
        Emulator.Faults.Enqueue(Fault.ConnectionReset(), provider: Wire);

        var e = await Fails(streaming);

        Assert.Equal(ProviderErrorKind.ConnectionFailed, e.Kind);
        Assert.True(e.IsRetriable);
    }

    [Fact]
    public async Task Stream_cut_mid_way_is_interrupted_not_a_short_success()
    {
        // Chunks are paced so that the client has read them before the reset (a reset discards unread data).
        await using var paced = await EmulatorServer.StartAsync(new EmulatorOptions { ApiKey = ApiKey, ChunkDelay = TimeSpan.FromMilliseconds(30) }, Ct);
        using var client = CreateClient(paced);
        paced.Script.Enqueue(ScriptedTurn.Text("a long answer that will never be finished by the server"));
        paced.Faults.Enqueue(Fault.CutAfter(3), provider: Wire);

        var received = new List<ChatResponseUpdate>();
        var e = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("go", cancellationToken: Ct))
            {
                received.Add(update);
            }
        });

        Assert.True(e.Kind == ProviderErrorKind.StreamInterrupted, e.ToString());
        Assert.True(e.IsRetriable);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Malformed_json_is_a_malformed_response(bool streaming)
    {
        Emulator.Script.Enqueue(ScriptedTurn.Text("some text that spans a few chunks of the stream"));
        Emulator.Faults.Enqueue(Fault.Malformed(), provider: Wire);

        var e = await Fails(streaming);

        Assert.True(e.Kind is ProviderErrorKind.MalformedResponse or ProviderErrorKind.StreamInterrupted, e.ToString());
        Assert.True(e.IsRetriable);
    }

    [Fact]
    public async Task Slow_first_byte_beyond_the_timeout_is_a_timeout()
    {
        using var impatient = CreateClient(Emulator, timeout: TimeSpan.FromMilliseconds(300));
        Emulator.Faults.Enqueue(Fault.SlowFirstByte(TimeSpan.FromSeconds(3)), provider: Wire);

        var e = await Assert.ThrowsAsync<ProviderException>(() => impatient.GetResponseAsync("hi", cancellationToken: Ct));

        Assert.Equal(ProviderErrorKind.Timeout, e.Kind);
        Assert.True(e.IsRetriable);
    }

    [Fact]
    public async Task Wrong_api_key_is_an_authentication_error_without_the_key()
    {
        using var wrong = CreateClient(Emulator, apiKey: "sk-wrong-SECRET-key");

        var e = await Assert.ThrowsAsync<ProviderException>(() => wrong.GetResponseAsync("hi", cancellationToken: Ct));

        Assert.Equal(ProviderErrorKind.Authentication, e.Kind);
        Assert.Equal(401, e.StatusCode);
        Assert.DoesNotContain("sk-wrong-SECRET-key", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Caller_cancellation_stays_a_cancellation()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        Emulator.Faults.Enqueue(Fault.SlowFirstByte(TimeSpan.FromSeconds(5)), provider: Wire);
        cts.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client.GetResponseAsync("hi", cancellationToken: cts.Token));
    }

    [Fact]
    public async Task Unreachable_server_is_a_connection_failure()
    {
        var gone = await EmulatorServer.StartAsync(new EmulatorOptions { ApiKey = ApiKey }, Ct);
        using var client = CreateClient(gone);
        await gone.DisposeAsync();

        var e = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi", cancellationToken: Ct));

        Assert.Equal(ProviderErrorKind.ConnectionFailed, e.Kind);
        Assert.Null(e.StatusCode);
    }

    private async Task<ProviderException> Fails(bool streaming) =>
        await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            if (streaming)
            {
                await foreach (var _ in Client.GetStreamingResponseAsync("hi", cancellationToken: Ct))
                {
                }
            }
            else
            {
                await Client.GetResponseAsync("hi", cancellationToken: Ct);
            }
        });
}
