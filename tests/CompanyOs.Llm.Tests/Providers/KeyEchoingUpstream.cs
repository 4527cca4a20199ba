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

    public static async Task<KeyEchoingUpstream> StartAsync(int status, CancellationToken cancellationToken)
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
