using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Providers;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace CompanyOs.Llm.Tests.Providers;

/// <summary>
/// An upstream that quotes the key in its error body must not get the key into <see cref="Exception.ToString"/> (what
/// <c>ILogger.LogError(ex, …)</c> writes) nor into the gateway's own logs — for every provider SDK, streaming or not.
/// </summary>
public sealed class ProviderKeyRedactionTests
{
    private const string Key = "sk-live-ECHOED-7f3a9c2e1b5d";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<ProviderKind, bool, int, ProviderErrorKind> Cases
    {
        get
        {
            var data = new TheoryData<ProviderKind, bool, int, ProviderErrorKind>();
            foreach (var kind in new[] { ProviderKind.OpenAI, ProviderKind.Anthropic, ProviderKind.Ollama })
            {
                foreach (var streaming in new[] { false, true })
                {
                    data.Add(kind, streaming, 401, ProviderErrorKind.Authentication);
                    data.Add(kind, streaming, 500, ProviderErrorKind.ServerError);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_provider_error_never_carries_an_echoed_key(ProviderKind kind, bool streaming, int status, ProviderErrorKind expected)
    {
        await using var upstream = await KeyEchoingUpstream.StartAsync(status, Ct);
        using var client = new ProviderClientFactory().Create(Provider(kind, upstream.BaseUri));

        var e = await Assert.ThrowsAsync<ProviderException>(() => Call(client, streaming));

        Assert.True(upstream.Echoed > 0, "the upstream should have received (and echoed) the key");
        Assert.Equal(expected, e.Kind);
        Assert.Equal(status, e.StatusCode);
        var detail = Assert.IsType<RedactedException>(e.InnerException);
        Assert.NotEmpty(detail.OriginalType);
        Assert.NotEmpty(detail.StackTrace ?? string.Empty);
        AssertNoKey(e.ToString());
        var collector = new FakeLogCollector();
        new FakeLogger(collector).LogError(e, "LLM call failed");
        AssertNoKey(collector.LatestRecord.Exception!.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_successful_answer_the_sdk_cannot_read_is_a_redacted_malformed_response(bool streaming)
    {
        // The OpenAI SDK rejects an unknown finish_reason with ArgumentOutOfRangeException("… Actual value was <value>"),
        // which used to pass through untranslated (arguments were taken for the caller's mistakes), key and all.
        await using var upstream = await KeyEchoingUpstream.StartAnsweringAsync(Ct);
        using var client = new ProviderClientFactory().Create(Provider(ProviderKind.OpenAI, upstream.BaseUri));

        var e = await Assert.ThrowsAsync<ProviderException>(() => Call(client, streaming));

        Assert.True(upstream.Echoed > 0, "the upstream should have received (and echoed) the key");
        Assert.Equal(ProviderErrorKind.MalformedResponse, e.Kind);
        Assert.Equal(200, e.StatusCode);
        Assert.IsType<RedactedException>(e.InnerException);
        AssertNoKey(e.ToString());
    }

    [Theory]
    [InlineData(ProviderKind.OpenAI, false)]
    [InlineData(ProviderKind.Anthropic, true)]
    [InlineData(ProviderKind.Ollama, false)]
    public async Task A_gateway_failure_and_the_gateway_logs_never_carry_an_echoed_key(ProviderKind kind, bool streaming)
    {
        await using var upstream = await KeyEchoingUpstream.StartAsync(500, Ct);
        var collector = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        var options = TestOptions.Create(Provider(kind, upstream.BaseUri) with { MaxRetries = 1 }) with { DefaultProvider = null };
        using var gateway = LlmGateway.CreateBuilder(options, new ProviderClientFactory()).WithLoggerFactory(loggers).Build();

        var e = await Assert.ThrowsAsync<ProviderException>(() => Call(gateway, streaming));

        Assert.Equal(2, upstream.Echoed);
        AssertNoKey(e.ToString());
        var records = collector.GetSnapshot();
        Assert.NotEmpty(records);
        foreach (var record in records)
        {
            AssertNoKey(record.Message);
            AssertNoKey(record.Exception?.ToString());
            AssertNoKey(string.Join(" ", record.StructuredState?.Select(p => p.Value) ?? []));
        }
    }

    [Theory]
    [InlineData("Incorrect API key provided: sk-live-ECHOED-7f3a9c2e1b5d.", "Incorrect API key provided: ***.")]
    [InlineData("body: {\"auth\": \"Bearer sk-live-ECHOED-7f3a9c2e1b5d\"}", "body: {\"auth\": \"Bearer ***\"}")]
    [InlineData("an upstream body cut short by the SDK: Bearer sk-live-ECH...", "an upstream body cut short by the SDK: Bearer ***...")]
    [InlineData("a short suffix sk-l stays", "a short suffix sk-l stays")]
    public void Scrub_masks_the_key_and_a_key_cut_short(string text, string expected) =>
        Assert.Equal(expected, RedactedException.Scrub(text, Key));

    [Fact]
    public void Scrub_never_leaves_a_long_key_prefix_when_it_truncates()
    {
        var scrubbed = RedactedException.Scrub(new string('x', 90) + Key, "sk-live-ECHOED-7f3a9c2e1b5dLONGER", maxLength: 100);

        Assert.DoesNotContain("sk-live", scrubbed, StringComparison.Ordinal);
        Assert.True(scrubbed.Length <= 100 + 6);
    }

    [Fact]
    public void A_redacted_exception_has_the_originals_stack_trace_and_inner_one()
    {
        Exception original;
        try
        {
            ThrowWrapped();
            throw new InvalidOperationException("unreachable");
        }
        catch (HttpRequestException e)
        {
            original = e;
        }

        var redacted = RedactedException.From(original, Key)!;

        Assert.Equal(original.StackTrace, redacted.StackTrace); // formatted when read, the same text
        Assert.Contains(nameof(ThrowWrapped), redacted.StackTrace, StringComparison.Ordinal);
        Assert.Equal(original.InnerException!.StackTrace, redacted.InnerException!.StackTrace);
        Assert.Contains(nameof(ThrowInner), redacted.InnerException.StackTrace, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, redacted.ToString(), StringComparison.Ordinal);
        Assert.Equal(redacted.StackTrace, redacted.StackTrace);
    }

    private static void ThrowWrapped()
    {
        try
        {
            ThrowInner();
        }
        catch (IOException e)
        {
            throw new HttpRequestException($"upstream said: {Key}", e);
        }
    }

    private static void ThrowInner() => throw new IOException($"echoed {Key}");

    private static ProviderOptions Provider(ProviderKind kind, Uri upstream) => new()
    {
        Name = $"echo-{kind.ToString().ToLowerInvariant()}",
        Kind = kind,
        ApiKey = Key,
        BaseUrl = kind == ProviderKind.OpenAI ? new Uri(upstream, "v1") : upstream,
        DefaultModel = kind switch
        {
            ProviderKind.OpenAI => "gpt-4o-mini",
            ProviderKind.Anthropic => "claude-3-5-haiku-20241022",
            _ => "llama3.2",
        },
        Timeout = TimeSpan.FromSeconds(20),
    };

    private static async Task Call(IChatClient client, bool streaming)
    {
        if (!streaming)
        {
            await client.GetResponseAsync("hello", cancellationToken: Ct);
            return;
        }

        await foreach (var _ in client.GetStreamingResponseAsync("hello", cancellationToken: Ct))
        {
        }
    }

    private static void AssertNoKey(string? text)
    {
        if (text is not null && text.Contains(Key, StringComparison.Ordinal))
        {
            Assert.Fail($"The API key leaked into: {text}");
        }
    }
}
