using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CompanyOs.Server.Tests.Infrastructure;

/// <summary>
/// An OpenAI-compatible upstream on 127.0.0.1 answering <c>POST /v1/chat/completions</c> with canned bytes (JSON, or SSE
/// when the request streams), so that a test can tell bytes passed through from bytes re-serialised. It keeps every request
/// body it received; <see cref="Failures"/> queues error statuses to answer first.
/// </summary>
internal sealed class CannedOpenAIUpstream : IAsyncDisposable
{
    /// <summary>Spacing and a field of its own that no serialiser of ours would write.</summary>
    public const string Json = """
        {"id":"chatcmpl-canned", "object":"chat.completion","created":1764547200,"model":"gpt-4o-mini-2024-07-18","x_upstream_marker":[1,2],
         "choices":[{"index":0,"message":{"role":"assistant","content":"Canned answer."},"logprobs":null,"finish_reason":"stop"}],
         "usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500,"prompt_tokens_details":{"cached_tokens":0}}}
        """;

    public const string ContentChunk = """{"id":"chatcmpl-canned","object":"chat.completion.chunk","created":1764547200,"model":"gpt-4o-mini-2024-07-18","x_upstream_marker":1,"choices":[{"index":0,"delta":{"role":"assistant","content":"Canned"},"finish_reason":null}],"usage":null}""";
    public const string FinishChunk = """{"id":"chatcmpl-canned","object":"chat.completion.chunk","created":1764547200,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}""";
    public const string UsageChunk = """{"id":"chatcmpl-canned","object":"chat.completion.chunk","created":1764547200,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}}""";

    private readonly WebApplication _app;

    private CannedOpenAIUpstream(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Every request body received, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The trace-context headers of every request received, in order (null when absent).</summary>
    public ConcurrentQueue<(string? TraceParent, string? TraceState, string? Baggage)> TraceHeaders { get; } = new();

    /// <summary>
    /// When set, a JSON answer's id carries the request's <c>user</c> (<c>chatcmpl-canned</c> → <c>chatcmpl-&lt;user&gt;</c>), so
    /// that concurrent callers can tell their own answer from another's.
    /// </summary>
    public bool EchoUserInId { get; set; }

    /// <summary>Statuses to answer (with <c>Retry-After: 0</c> and an OpenAI error body) before answering normally.</summary>
    public ConcurrentQueue<int> Failures { get; } = new();

    public static async Task<CannedOpenAIUpstream> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var upstream = new CannedOpenAIUpstream(app);
        app.Run(upstream.AnswerAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        upstream.BaseUri = new Uri(address.TrimEnd('/') + "/v1");
        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        Requests.Enqueue(body);
        var headers = context.Request.Headers;
        TraceHeaders.Enqueue((headers.TraceParent.FirstOrDefault(), headers.TraceState.FirstOrDefault(), headers.Baggage.FirstOrDefault()));
        if (Failures.TryDequeue(out var status))
        {
            context.Response.StatusCode = status;
            context.Response.Headers.RetryAfter = "0";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"error":{"message":"canned failure","type":"server_error","code":null}}""", context.RequestAborted);
            return;
        }

        if (!body.Contains("\"stream\":true", StringComparison.Ordinal))
        {
            context.Response.ContentType = "application/json";
            var answer = EchoUserInId && System.Text.Json.Nodes.JsonNode.Parse(body)?["user"]?.GetValue<string>() is { } user
                ? Json.Replace("chatcmpl-canned", $"chatcmpl-{user}", StringComparison.Ordinal)
                : Json;
            await context.Response.WriteAsync(answer, context.RequestAborted);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        foreach (var chunk in new[] { ContentChunk, FinishChunk, UsageChunk })
        {
            await context.Response.WriteAsync($"data: {chunk}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }

        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
    }
}
