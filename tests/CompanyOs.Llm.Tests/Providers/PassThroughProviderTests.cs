using System.Net;
using System.Text;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.PassThrough;
using CompanyOs.Llm.Providers;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Providers;

/// <summary>
/// A gateway call carrying the client's bytes (<see cref="PassThroughRequest"/>) to an OpenAI provider: the fast path reads
/// the upstream's status, <c>Retry-After</c>, usage and body itself, without the HTTP observer's ambient exchange.
/// </summary>
public sealed class PassThroughProviderTests
{
    private const string Completion =
        """{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":11,"completion_tokens":3,"total_tokens":14}}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_upstreams_bytes_come_back_with_usage_and_cost_recorded()
    {
        var upstream = new Upstream(_ => Json(HttpStatusCode.OK, Completion));
        using var gateway = Gateway(upstream, maxRetries: 0);

        var response = await gateway.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], Options(), Ct);

        var raw = Assert.IsType<PassThroughResponse>(response.RawRepresentation);
        Assert.Equal(Completion, Encoding.UTF8.GetString(raw.Body.Span));
        var info = LlmCallInfo.From(response)!;
        Assert.Equal(14, info.Usage!.TotalTokenCount);
        Assert.True(info.CostUsd > 0m);
        Assert.Equal(1, upstream.Requests);
    }

    [Fact]
    public async Task The_call_info_rides_on_the_raw_answer_without_a_property_dictionary()
    {
        var upstream = new Upstream(_ => Json(HttpStatusCode.OK, Completion));
        using var gateway = Gateway(upstream, maxRetries: 0);

        var response = await gateway.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], Options(), Ct);

        var raw = Assert.IsType<PassThroughResponse>(response.RawRepresentation);
        Assert.Null(response.AdditionalProperties);
        var info = Assert.IsType<LlmCallInfo>(raw.CallInfo);
        Assert.Same(info, LlmCallInfo.From(response));
        Assert.Equal("gpt-4o-mini-2024-07-18", info.Model);
        Assert.Equal(1, info.Attempts);
        Assert.Equal(14, info.Usage!.TotalTokenCount);
        Assert.True(info.CostUsd > 0m);
    }

    [Fact]
    public async Task Answers_naming_the_same_model_share_one_model_string()
    {
        var upstream = new Upstream(_ => Json(HttpStatusCode.OK, Completion));
        using var gateway = Gateway(upstream, maxRetries: 0);

        var first = await gateway.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], Options(), Ct);
        var second = await gateway.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], Options(), Ct);

        Assert.Equal("gpt-4o-mini-2024-07-18", second.ModelId);
        Assert.Same(first.ModelId, second.ModelId);
        Assert.Same(LlmCallInfo.From(first)!.Model, LlmCallInfo.From(second)!.Model);
    }

    [Fact]
    public async Task The_client_bytes_go_up_with_the_providers_key_and_the_json_media_type()
    {
        var upstream = new Upstream(_ => Json(HttpStatusCode.OK, Completion));
        using var gateway = Gateway(upstream, maxRetries: 0);

        await gateway.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], Options(), Ct);

        var sent = Assert.Single(upstream.Sent);
        Assert.Equal("Bearer " + TestOptions.ProviderA().ApiKey, sent.Authorization);
        Assert.Equal("application/json", sent.ContentType);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("http://upstream.test/v1/chat/completions", sent.Uri);
        Assert.Equal("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", sent.Body);
    }

    [Fact]
    public async Task A_pooled_body_is_given_back_once_by_its_last_reader_and_a_plain_body_is_never()
    {
        var upstream = new Upstream(_ => Json(HttpStatusCode.OK, Completion));
        using var gateway = Gateway(upstream, maxRetries: 0);
        var response = await gateway.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], Options(), Ct);
        var raw = Assert.IsType<PassThroughResponse>(response.RawRepresentation);
        Assert.Equal(Completion, Encoding.UTF8.GetString(raw.Body.Span));

        raw.Release();
        raw.Release();

        Assert.True(raw.Body.IsEmpty);
        var plain = new PassThroughResponse("{}"u8.ToArray());
        plain.Release();
        Assert.Equal("{}", Encoding.UTF8.GetString(plain.Body.Span));
    }

    [Fact]
    public async Task A_refusal_carries_the_upstreams_status_and_Retry_After_and_is_retried_after_that_wait()
    {
        var upstream = new Upstream(n => n == 1 ? Refusal(retryAfterSeconds: 0) : Json(HttpStatusCode.OK, Completion));
        using var retrying = Gateway(upstream, maxRetries: 1);

        var answered = await retrying.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], Options(), Ct);

        Assert.Equal(2, upstream.Requests);
        Assert.Equal(2, LlmCallInfo.From(answered)!.Attempts);

        var refusing = new Upstream(_ => Refusal(retryAfterSeconds: 7));
        using var gateway = Gateway(refusing, maxRetries: 0);
        var error = await Assert.ThrowsAsync<ProviderException>(() => gateway.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], Options(), Ct));

        Assert.Equal(ProviderErrorKind.RateLimited, error.Kind);
        Assert.Equal(429, error.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
    }

    [Fact]
    public async Task A_refused_stream_carries_the_upstreams_status_and_Retry_After()
    {
        var refusing = new Upstream(_ => Refusal(retryAfterSeconds: 9));
        using var gateway = Gateway(refusing, maxRetries: 0);
        var options = PassThroughRequest.TryCreate("""{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}"""u8.ToArray())!
            .AttachTo(new ChatOptions { ModelId = "gpt-4o-mini" });

        var error = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (var _ in gateway.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], options, Ct))
            {
            }
        });

        Assert.Equal(ProviderErrorKind.RateLimited, error.Kind);
        Assert.Equal(429, error.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(9), error.RetryAfter);
    }

    [Fact]
    public async Task Stream_events_received_together_say_so_and_the_usage_chunk_is_still_recorded()
    {
        const string Chunk = """{"id":"s1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}""";
        const string Finish = """{"id":"s1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""";
        const string Usage = """{"id":"s1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":3,"total_tokens":14}}""";
        // One body, read at once: every event but the last arrived with the next one.
        var upstream = new Upstream(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent($"data: {Chunk}\n\ndata: {Chunk}\n\ndata: {Finish}\n\ndata: {Usage}\n\n", Encoding.UTF8, "text/event-stream"),
        });
        using var gateway = Gateway(upstream, maxRetries: 0);
        var options = PassThroughRequest.TryCreate("""{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}"""u8.ToArray())!
            .AttachTo(new ChatOptions { ModelId = "gpt-4o-mini" });

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in gateway.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], options, Ct))
        {
            updates.Add(update);
        }

        var events = updates.SelectMany(u => u.Contents.OfType<PassThroughEvent>()).ToList();
        Assert.Equal([Chunk, Chunk, Finish, Usage], events.Select(e => Encoding.UTF8.GetString(e.Data.Span)));
        Assert.Equal([true, true, true, false], events.Select(e => e.MoreReceived));
        Assert.All(updates.Where(u => u.Contents.Count > 0), u => Assert.Equal("s1", u.ResponseId));
        var info = LlmCallInfo.From(updates[^1])!;
        Assert.Equal(14, info.Usage!.TotalTokenCount);
        Assert.True(info.CostUsd > 0m);
    }

    [Fact]
    public async Task A_body_shorter_than_its_Content_Length_fails_as_a_provider_error()
    {
        var upstream = new Upstream(_ =>
        {
            var answer = Json(HttpStatusCode.OK, Completion[..40]);
            answer.Content.Headers.ContentLength = Completion.Length;
            return answer;
        });
        using var gateway = Gateway(upstream, maxRetries: 0);

        await Assert.ThrowsAsync<ProviderException>(() => gateway.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], Options(), Ct));
    }

    private static ChatOptions Options() =>
        PassThroughRequest.TryCreate("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"""u8.ToArray())!
            .AttachTo(new ChatOptions { ModelId = "gpt-4o-mini" });

    private static LlmGateway Gateway(Upstream upstream, int maxRetries)
    {
        var provider = TestOptions.ProviderA(new Uri("http://upstream.test/v1/"));
        var options = TestOptions.Create(new CompanyOs.Llm.Configuration.ProviderOptions
        {
            Name = provider.Name,
            Kind = provider.Kind,
            ApiKey = provider.ApiKey,
            BaseUrl = provider.BaseUrl,
            DefaultModel = provider.DefaultModel,
            MaxRetries = maxRetries,
            Timeout = provider.Timeout,
        });
        return LlmGateway.CreateBuilder(options, new ProviderClientFactory(handlerFactory: () => upstream)).Build();
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private static HttpResponseMessage Refusal(int retryAfterSeconds)
    {
        var refusal = Json(HttpStatusCode.TooManyRequests, """{"error":{"message":"slow down","type":"rate_limit_exceeded"}}""");
        refusal.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(retryAfterSeconds));
        return refusal;
    }

    /// <summary>Answers the n-th request (from 1) with <c>answer(n)</c>.</summary>
    private sealed class Upstream(Func<int, HttpResponseMessage> answer) : HttpMessageHandler
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        /// <summary>What each request carried: its headers as they go on the wire, and its body.</summary>
        public System.Collections.Concurrent.ConcurrentQueue<SentRequest> Sent { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Sent.Enqueue(new SentRequest(
                request.Method,
                request.RequestUri?.AbsoluteUri,
                request.Headers.NonValidated.TryGetValues("Authorization", out var authorization) ? authorization.ToString() : null,
                request.Content?.Headers.NonValidated.TryGetValues("Content-Type", out var type) == true ? type.ToString() : null,
                request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken)));
            return answer(Interlocked.Increment(ref _requests));
        }
    }

    private sealed record SentRequest(HttpMethod Method, string? Uri, string? Authorization, string? ContentType, string? Body);
}
