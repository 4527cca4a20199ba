using System.Globalization;
using System.Net.Http.Headers;
using CompanyOs.Server.Gateway;
using CompanyOs.Server.Keys;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Gateway;

/// <summary>OpenAI's x-ratelimit-* headers from the key's RPM and the routed provider's RPM/TPM limiter.</summary>
public sealed class RateLimitHeadersTests
{
    private const string Chat = """{"model":"gpt-4o","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string LimitedYaml(int rpm, int tpm) => TestServers.DefaultYaml.Replace("default_model: \"gpt-4o\"",
        $"default_model: \"gpt-4o\"\n    rate_limit_rpm: {rpm}\n    rate_limit_tpm: {tpm}", StringComparison.Ordinal);

    [Fact]
    public async Task Responses_report_the_routed_providers_requests_and_tokens_left_and_when_they_reset()
    {
        await using var server = await TestServers.StartAsync(LimitedYaml(rpm: 5, tpm: 100_000));
        using var http = TestServers.Http(server);

        using var first = await http.PostJsonAsync("v1/chat/completions", Chat);
        using var stream = await http.PostJsonAsync("v1/chat/completions", Chat.Replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\"", StringComparison.Ordinal));
        using var messages = await http.PostJsonAsync("v1/messages", Chat);
        using var claude = await http.PostJsonAsync("v1/chat/completions", Chat.Replace("gpt-4o", "claude-3.5-sonnet", StringComparison.Ordinal));

        Assert.Equal("5", Header(first, "x-ratelimit-limit-requests"));
        Assert.Equal("4", Header(first, "x-ratelimit-remaining-requests"));
        Assert.Equal("3", Header(stream, "x-ratelimit-remaining-requests"));
        Assert.Equal("2", Header(messages, "x-ratelimit-remaining-requests"));
        Assert.Equal("100000", Header(first, "x-ratelimit-limit-tokens"));
        var tokensLeft = long.Parse(Header(first, "x-ratelimit-remaining-tokens"), CultureInfo.InvariantCulture);
        Assert.InRange(tokensLeft, 100_000 - 1000, 100_000 - 1);
        Assert.True(long.Parse(Header(stream, "x-ratelimit-remaining-tokens"), CultureInfo.InvariantCulture) < tokensLeft);
        Assert.Matches(@"^(59(\.\d+)?s|1m0s)$", Header(first, "x-ratelimit-reset-requests"));
        Assert.Matches(@"^(59(\.\d+)?s|1m0s)$", Header(first, "x-ratelimit-reset-tokens"));
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        // The Claude model routes to anthropic, which has no limits: nothing to report.
        Assert.Equal(200, (int)claude.StatusCode);
        Assert.False(claude.Headers.Contains("x-ratelimit-limit-requests"));
        Assert.False(claude.Headers.Contains("x-ratelimit-limit-tokens"));
    }

    [Fact]
    public async Task The_tighter_of_the_keys_rpm_and_the_providers_rpm_is_reported()
    {
        var db = Path.Combine(Path.GetTempPath(), "companyos-server-tests", Guid.NewGuid().ToString("N") + ".db");
        await using var server = await TestServers.StartAsync(LimitedYaml(rpm: 3, tpm: 100_000), extraArgs: ["--keys-db", db]);
        var store = (ApiKeyStore)server.Services.GetService(typeof(ApiKeyStore))!;
        var (_, tight) = await store.CreateAsync("acme", [ApiKey.GatewayScope], rpm: 2, cancellationToken: Ct);
        var (_, loose) = await store.CreateAsync("acme", [ApiKey.GatewayScope], rpm: 50, cancellationToken: Ct);
        using var http = TestServers.Http(server);

        using var byTight = await Send(http, tight);
        using var byLoose = await Send(http, loose);
        using var modelsByLoose = await Get(http, "v1/models", loose);

        Assert.Equal("2", Header(byTight, "x-ratelimit-limit-requests"));
        Assert.Equal("1", Header(byTight, "x-ratelimit-remaining-requests"));
        Assert.Equal("3", Header(byLoose, "x-ratelimit-limit-requests"));
        Assert.Equal("1", Header(byLoose, "x-ratelimit-remaining-requests"));
        Assert.Equal("100000", Header(byLoose, "x-ratelimit-limit-tokens"));
        // No model is routed for /v1/models: the key's own limit is what applies.
        Assert.Equal("50", Header(modelsByLoose, "x-ratelimit-limit-requests"));
        Assert.Equal("48", Header(modelsByLoose, "x-ratelimit-remaining-requests"));
        Assert.False(modelsByLoose.Headers.Contains("x-ratelimit-limit-tokens"));
    }

    [Fact]
    public async Task A_request_refused_by_the_providers_limit_is_429_with_retry_after_and_nothing_left()
    {
        await using var server = await TestServers.StartAsync(LimitedYaml(rpm: 1, tpm: 100_000) + "\nrate_limits: { mode: fail_fast }\n");
        using var http = TestServers.Http(server);

        using var first = await http.PostJsonAsync("v1/messages", Chat);
        using var second = await http.PostJsonAsync("v1/messages", Chat);

        Assert.Equal(200, (int)first.StatusCode);
        await ErrorJson.AssertAnthropicAsync(second, 429, "rate_limit_error");
        Assert.InRange(int.Parse(Assert.Single(second.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal("0", Header(second, "x-ratelimit-remaining-requests"));
    }

    [Theory]
    [InlineData(17, "17ms")]
    [InlineData(1500, "1.5s")]
    [InlineData(60_000, "1m0s")]
    [InlineData(361_250, "6m1.25s")]
    [InlineData(0, "0ms")]
    [InlineData(999, "999ms")]
    [InlineData(1000, "1s")]
    [InlineData(1010, "1.01s")]
    [InlineData(1001, "1.001s")]
    [InlineData(59_999, "59.999s")]
    [InlineData(60_001, "1m0.001s")]
    [InlineData(3_600_000, "60m0s")]
    public void Reset_times_use_openais_duration_notation(int milliseconds, string expected) =>
        Assert.Equal(expected, RateLimitHeaders.Duration(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void Reset_times_round_up_to_whole_milliseconds_and_read_as_the_decimal_notation_did()
    {
        // The notation as first written (decimal seconds, format "0.###"), for every millisecond of the first two minutes and
        // a fraction of one above it.
        static string Reference(TimeSpan span)
        {
            var ms = (long)Math.Ceiling(span.TotalMilliseconds);
            if (ms < 1000)
            {
                return FormattableString.Invariant($"{ms}ms");
            }

            var minutes = ms / 60_000;
            var seconds = (ms % 60_000) / 1000m;
            return minutes > 0 ? FormattableString.Invariant($"{minutes}m{seconds:0.###}s") : FormattableString.Invariant($"{seconds:0.###}s");
        }

        for (var ms = 0; ms <= 120_000; ms++)
        {
            var span = TimeSpan.FromMilliseconds(ms) - TimeSpan.FromTicks(ms % 7);
            Assert.Equal(Reference(span), RateLimitHeaders.Duration(span));
        }

        Assert.Equal("1.5s", RateLimitHeaders.Duration(TimeSpan.FromTicks(14_990_001)));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? Assert.Single(values) : throw new Xunit.Sdk.XunitException($"no {name} header ({(int)response.StatusCode})");

    private static async Task<HttpResponseMessage> Send(HttpClient http, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(Chat) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await http.SendAsync(request, Ct);
    }

    private static async Task<HttpResponseMessage> Get(HttpClient http, string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await http.SendAsync(request, Ct);
    }
}
