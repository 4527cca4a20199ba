using System.Text;
using CompanyOs.Emulator.Faults;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.OpenAI;

/// <summary>Limits, budgets and upstream failures as OpenAI errors with the right status; streams that break end with an error.</summary>
public sealed class ChatCompletionsFailureTests
{
    private const string Body = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""";
    private const string StreamBody = """{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"tell me a long story please"}]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        await using var server = await TestServers.StartAsync(extraArgs: "--CompanyOs:Server:MaxRequestBodyBytes=1000");
        using var http = TestServers.Http(server);
        var big = $$"""{"model":"gpt-4o","messages":[{"role":"user","content":"{{new string('x', 5000)}}"}]}""";

        using var response = await http.PostJsonAsync("v1/chat/completions", big);
        using var small = await http.PostJsonAsync("v1/chat/completions", Body);

        var error = await ErrorJson.AssertOpenAIAsync(response, 413, "invalid_request_error", code: "request_too_large");
        Assert.Contains("1000 bytes", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(200, (int)small.StatusCode);
    }

    [Fact]
    public async Task The_gateway_rate_limit_is_429_rate_limit_exceeded_with_retry_after()
    {
        await using var server = await TestServers.StartAsync(TestServers.DefaultYaml.Replace("default_model: \"gpt-4o\"",
            "default_model: \"gpt-4o\"\n    rate_limit_rpm: 1", StringComparison.Ordinal) + "\nrate_limits: { mode: fail_fast }\n");
        using var http = TestServers.Http(server);

        using var first = await http.PostJsonAsync("v1/chat/completions", Body);
        using var second = await http.PostJsonAsync("v1/chat/completions", Body);

        Assert.Equal(200, (int)first.StatusCode);
        await ErrorJson.AssertOpenAIAsync(second, 429, "requests", code: "rate_limit_exceeded");
        var retryAfter = int.Parse(Assert.Single(second.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal(1, server.Emulator!.TotalRequestCount);
    }

    [Fact]
    public async Task An_exhausted_budget_is_429_insufficient_quota_without_retry_after()
    {
        await using var server = await TestServers.StartAsync(TestServers.DefaultYaml + "\nbudgets: { default_org: { usd: 0.000001 } }\n");
        using var http = TestServers.Http(server);

        using var response = await http.PostJsonAsync("v1/chat/completions", Body);

        var error = await ErrorJson.AssertOpenAIAsync(response, 429, "insufficient_quota", code: "insufficient_quota");
        Assert.Contains("default", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Retry-After"));
        Assert.Equal(0, server.Emulator!.TotalRequestCount);
    }

    [Theory]
    [InlineData(500, 502, "upstream_error")]
    [InlineData(401, 502, "upstream_error")]
    [InlineData(503, 503, "upstream_unavailable")]
    [InlineData(529, 503, "upstream_unavailable")]
    public async Task Upstream_failures_are_5xx_naming_the_provider_but_not_its_body_or_key(int upstream, int status, string code)
    {
        await using var server = await TestServers.StartAsync();
        using var http = TestServers.Http(server);
        server.Emulator!.Faults.Enqueue(Fault.Status(upstream));

        using var response = await http.PostJsonAsync("v1/chat/completions", Body);

        var error = await ErrorJson.AssertOpenAIAsync(response, status, "server_error", code: code);
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains("'openai'", message, StringComparison.Ordinal);
        Assert.DoesNotContain("emulator-key", message, StringComparison.Ordinal);
        Assert.DoesNotContain("{", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upstream_timeout_is_504()
    {
        await using var server = await TestServers.StartAsync(TestServers.DefaultYaml.Replace("default_model: \"gpt-4o\"",
            "default_model: \"gpt-4o\"\n    timeout_seconds: 1", StringComparison.Ordinal));
        using var http = TestServers.Http(server);
        server.Emulator!.Faults.Enqueue(Fault.SlowFirstByte(TimeSpan.FromSeconds(5)));

        using var response = await http.PostJsonAsync("v1/chat/completions", Body);

        await ErrorJson.AssertOpenAIAsync(response, 504, "server_error", code: "upstream_timeout");
    }

    [Fact]
    public async Task A_failure_before_the_first_chunk_of_a_stream_gets_its_status_not_a_stream()
    {
        await using var server = await TestServers.StartAsync();
        using var http = TestServers.Http(server);
        server.Emulator!.Faults.Enqueue(Fault.Status(500));

        using var response = await http.PostJsonAsync("v1/chat/completions", StreamBody);

        await ErrorJson.AssertOpenAIAsync(response, 502, "server_error", code: "upstream_error");
    }

    [Fact]
    public async Task A_stream_cut_after_its_first_chunk_ends_with_an_error_event_and_no_done()
    {
        await using var server = await TestServers.StartAsync();
        using var http = TestServers.Http(server);
        server.Emulator!.Faults.Enqueue(Fault.CutAfter(3));

        using var read = await SseStreams.PostAsync(http, "v1/chat/completions", StreamBody);
        var events = read.Events;

        Assert.Equal(200, (int)read.Response.StatusCode);
        Assert.Contains("\"chat.completion.chunk\"", events[0], StringComparison.Ordinal);
        Assert.StartsWith("data: {\"error\":{", events[^1], StringComparison.Ordinal);
        Assert.Contains("stream interrupted", events[^1], StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.Contains("[DONE]", StringComparison.Ordinal));
        // Then the connection is reset: a client that skips in-stream errors cannot take the cut answer for a whole one.
        Assert.True(read.Reset, "the response ended cleanly after the error event");
    }

    [Fact]
    public async Task A_complete_stream_ends_with_finish_reason_usage_chunk_and_done()
    {
        await using var server = await TestServers.StartAsync();
        using var http = TestServers.Http(server);

        using var response = await http.PostJsonAsync("v1/chat/completions", StreamBody);
        var events = await SseEvents(response);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("true", Assert.Single(response.Headers.GetValues("x-companyos-emulated")));
        Assert.Contains("\"role\":\"assistant\"", events[0], StringComparison.Ordinal);
        Assert.Contains("\"finish_reason\":\"stop\"", events[^3], StringComparison.Ordinal);
        Assert.Contains("\"choices\":[]", events[^2], StringComparison.Ordinal);
        Assert.Contains("\"completion_tokens\":", events[^2], StringComparison.Ordinal);
        Assert.Equal("data: [DONE]", events[^1]);
    }

    internal static async Task<List<string>> SseEvents(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        return [.. text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Trim())];
    }
}
