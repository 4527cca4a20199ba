using System.Globalization;
using System.Net;
using System.Text.Json;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Emulator.Tests.Faults;

/// <summary>Every fault, selected by header and by queue, with each provider's error JSON.</summary>
public sealed class FaultInjectionTests
{
    private const string OpenAIBody = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""";
    private const string OpenAIStream = """{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"tell me something long enough"}]}""";
    private const string AnthropicBody = """{"model":"claude-sonnet-4-5-20250929","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Header_429_with_retry_after_seconds()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        var response = await http.PostAsync("v1/chat/completions", OpenAIBody, Ct, ("x-emulator-fault", "429;retry-after=2"));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.Status);
        Assert.Equal("2", response.Headers["retry-after"]);
        var error = response.Json.GetProperty("error");
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("requests", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Header_429_with_retry_after_as_http_date_from_the_time_provider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var server = await EmulatorServer.StartAsync(new EmulatorOptions { TimeProvider = time }, Ct);
        using var http = new RawHttp(server);

        var response = await http.PostAsync("v1/messages", AnthropicBody, Ct, ("x-emulator-fault", "429;retry-after-date=30"));

        Assert.Equal("Sun, 01 Mar 2026 12:00:30 GMT", response.Headers["retry-after"]);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 30, TimeSpan.Zero),
            DateTimeOffset.ParseExact(response.Headers["retry-after"], "R", CultureInfo.InvariantCulture));
        Assert.Equal("rate_limit_error", response.Json.GetProperty("error").GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("400", "invalid_request_error")]
    [InlineData("401", "authentication_error")]
    [InlineData("429", "rate_limit_error")]
    [InlineData("500", "api_error")]
    [InlineData("503", "api_error")]
    [InlineData("529", "overloaded_error")]
    public async Task Anthropic_status_faults_use_anthropic_error_types(string fault, string type)
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        var response = await http.PostAsync("v1/messages", AnthropicBody, Ct, ("x-emulator-fault", fault));

        Assert.Equal(int.Parse(fault, CultureInfo.InvariantCulture), (int)response.Status);
        Assert.Equal("error", response.Json.GetProperty("type").GetString());
        Assert.Equal(type, response.Json.GetProperty("error").GetProperty("type").GetString());
        Assert.False(response.Headers.ContainsKey("retry-after"));
    }

    [Theory]
    [InlineData("v1/chat/completions", OpenAIBody)]
    [InlineData("v1/messages", AnthropicBody)]
    [InlineData("api/chat", """{"model":"llama3.2","messages":[{"role":"user","content":"hi"}]}""")]
    public async Task Reset_aborts_the_connection(string path, string body)
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync(path, body, Ct, ("x-emulator-fault", "reset")));
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync(path, body, Ct)).Status);
    }

    [Fact]
    public async Task Cut_after_delivers_exactly_n_chunks_then_aborts()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var client = new HttpClient { BaseAddress = server.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(OpenAIStream) };
        request.Headers.Add("x-emulator-fault", "cut-after=3");

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        var dataLines = new List<string>();
        var failure = await Record.ExceptionAsync(async () =>
        {
            while (await reader.ReadLineAsync(Ct) is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    dataLines.Add(line);
                }
            }
        });

        Assert.NotNull(failure);
        Assert.Equal(3, dataLines.Count);
        Assert.DoesNotContain("data: [DONE]", dataLines);
    }

    [Fact]
    public async Task Cut_after_on_a_json_response_delivers_a_truncated_body_then_aborts()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.PostAsync("v1/chat/completions", OpenAIBody, Ct, ("x-emulator-fault", "cut-after=10")));
    }

    [Fact]
    public async Task Malformed_json_body_and_malformed_stream_chunk()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        var body = await http.PostAsync("v1/chat/completions", OpenAIBody, Ct, ("x-emulator-fault", "malformed"));
        var stream = await http.PostAsync("v1/chat/completions", OpenAIStream, Ct, ("x-emulator-fault", "malformed"));

        Assert.Equal(HttpStatusCode.OK, body.Status);
        Assert.ThrowsAny<JsonException>(() => body.Json);
        var events = stream.SseEvents();
        JsonDocument.Parse(events[0].Data).Dispose();
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(events[1].Data));
        Assert.Equal("[DONE]", events[^1].Data);
    }

    [Fact]
    public async Task Slow_first_byte_waits_on_the_time_provider()
    {
        var time = new FakeTimeProvider();
        await using var server = await EmulatorServer.StartAsync(new EmulatorOptions { TimeProvider = time }, Ct);
        using var http = new RawHttp(server);

        var pending = http.PostAsync("v1/chat/completions", OpenAIBody, Ct, ("x-emulator-fault", "slow-first-byte=5000"));
        await Poll.UntilAsync(() => server.RequestCount(EmulatorRoute.OpenAIChatCompletions) == 1, "the request never reached the emulator", cancellationToken: Ct);
        await Task.Delay(50, Ct);
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.OK, (await pending).Status);
    }

    [Fact]
    public async Task Invalid_fault_header_is_a_400_naming_the_header()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        var response = await http.PostAsync("v1/chat/completions", OpenAIBody, Ct, ("x-emulator-fault", "explode"));

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains("x-emulator-fault", response.Json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queued_faults_fail_the_next_n_requests_then_requests_succeed()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);
        server.Faults.Enqueue(Fault.RateLimited(TimeSpan.FromSeconds(1)), times: 2);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await http.PostAsync("v1/chat/completions", OpenAIBody, Ct)).Status);
        }

        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.OK], statuses);
        Assert.Equal(3, server.RequestCount(EmulatorRoute.OpenAIChatCompletions));
        Assert.Equal(0, server.Faults.Pending);
    }

    [Fact]
    public async Task Queued_faults_target_a_provider_and_skip_non_chat_routes()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);
        server.Faults.Enqueue(Fault.Overloaded(), provider: EmulatorProvider.Anthropic);

        var models = await http.GetAsync("v1/models", Ct);
        var openai = await http.PostAsync("v1/chat/completions", OpenAIBody, Ct);
        var count = await http.PostAsync("v1/messages/count_tokens", AnthropicBody, Ct);
        var anthropic = await http.PostAsync("v1/messages", AnthropicBody, Ct);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, (HttpStatusCode)529], [models.Status, openai.Status, count.Status, anthropic.Status]);
        Assert.Equal("overloaded_error", anthropic.Json.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Queued_fault_for_an_explicit_route_hits_that_route()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);
        server.Faults.Enqueue(Fault.Status(500), route: EmulatorRoute.AnthropicCountTokens);

        var chat = await http.PostAsync("v1/messages", AnthropicBody, Ct);
        var count = await http.PostAsync("v1/messages/count_tokens", AnthropicBody, Ct);
        var again = await http.PostAsync("v1/messages/count_tokens", AnthropicBody, Ct);

        Assert.Equal(HttpStatusCode.OK, chat.Status);
        Assert.Equal(HttpStatusCode.InternalServerError, count.Status);
        Assert.Equal("api_error", count.Json.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.OK, again.Status);
    }

    [Fact]
    public async Task Queued_faults_are_consumed_exactly_once_under_concurrency()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);
        server.Faults.Enqueue(Fault.Status(503), times: 7);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => http.PostAsync("v1/chat/completions", OpenAIBody, Ct)));

        Assert.Equal(7, statuses.Count(s => s.Status == HttpStatusCode.ServiceUnavailable));
        Assert.Equal(17, statuses.Count(s => s.Status == HttpStatusCode.OK));
        Assert.Equal(24, server.RequestCount(EmulatorRoute.OpenAIChatCompletions));
        Assert.Equal(7, server.Requests.Count(r => r.Fault == "503"));
    }
}
