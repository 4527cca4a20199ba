using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CompanyOs.Llm.Tests.Providers;

/// <summary>
/// A careless upstream on 127.0.0.1 (a proxy or "compatible" server) that answers every request with an error in the
/// provider's wire format whose message quotes the credentials it received — the case the emulator refuses to play.
/// </summary>
public sealed class KeyEchoingUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _echoed;

    private KeyEchoingUpstream(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    /// <summary>How many error bodies carried a credential back.</summary>
    public int Echoed => Volatile.Read(ref _echoed);

    /// <summary>Starts an upstream answering every request with an HTTP <paramref name="status"/> error that quotes the credentials.</summary>
    public static Task<KeyEchoingUpstream> StartAsync(int status, CancellationToken cancellationToken) => StartAsync(status, inAnswer: false, cancellationToken);

    /// <summary>
    /// Starts an upstream answering OpenAI chat requests with HTTP 200 whose <c>finish_reason</c> is the credentials it
    /// received (a value the SDK rejects with an <see cref="ArgumentOutOfRangeException"/> quoting it); streamed when asked.
    /// </summary>
    public static Task<KeyEchoingUpstream> StartAnsweringAsync(CancellationToken cancellationToken) => StartAsync(200, inAnswer: true, cancellationToken);

    private static async Task<KeyEchoingUpstream> StartAsync(int status, bool inAnswer, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        KeyEchoingUpstream? upstream = null;
        app.Run(async context =>
        {
            var presented = $"{context.Request.Headers.Authorization} {context.Request.Headers["x-api-key"]}".Trim();
            if (presented.Length > 0)
            {
                Interlocked.Increment(ref upstream!._echoed);
            }

            if (inAnswer)
            {
                using var request = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                var streamed = request.RootElement.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
                var choice = new { index = 0, message = new { role = "assistant", content = "hi" }, delta = new { content = "hi" }, finish_reason = presented };
                var answer = JsonSerializer.Serialize(new { id = "c1", @object = streamed ? "chat.completion.chunk" : "chat.completion", created = 1, model = "gpt-4o-mini", choices = new[] { choice } });
                context.Response.ContentType = streamed ? "text/event-stream" : "application/json";
                await context.Response.WriteAsync(streamed ? $"data: {answer}\n\ndata: [DONE]\n\n" : answer, context.RequestAborted);
                return;
            }

            var message = $"Incorrect API key provided: {presented}";
            object body = context.Request.Path.Value switch
            {
                var p when p!.EndsWith("/messages", StringComparison.Ordinal) =>
                    new { type = "error", error = new { type = status == 401 ? "authentication_error" : "api_error", message } },
                var p when p!.StartsWith("/api/", StringComparison.Ordinal) => new { error = message },
                _ => new { error = new { message, type = "invalid_request_error", code = "invalid_api_key" } },
            };
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.Headers["x-echo"] = presented;
            await context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
        });
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        upstream = new KeyEchoingUpstream(app, new Uri(address.TrimEnd('/') + "/"));
        return upstream;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
