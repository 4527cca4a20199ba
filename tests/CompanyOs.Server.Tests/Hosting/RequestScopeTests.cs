using System.Collections.Concurrent;
using System.Net.Http.Headers;
using CompanyOs.Server.Hosting;
using CompanyOs.Server.Keys;
using CompanyOs.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>
/// A chat call on <c>/v1</c> — key check and key rate limit, routing, the gateway, the rate-limit headers — takes the
/// application's singletons from the application's provider: the first use of <see cref="HttpContext.RequestServices"/>
/// creates a DI scope for the request (a feature, a scope and its dictionary, disposed when the response ends), which
/// nothing on this path needs (issue 17: ~300 bytes of a request's 8.9 KB).
/// </summary>
public sealed class RequestScopeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// An answer the gateway converts is written by <c>TypedResults.Json</c>, which takes its logger from the request's
    /// services: /v1/messages (always converted) still creates a scope, so the chat completions pass-through is the case here.
    /// </summary>
    [Fact]
    public async Task A_keyed_chat_completion_creates_no_request_scope_and_keeps_its_policies()
    {
        const string path = "v1/chat/completions";
        const string body = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""";
        using var probe = new ScopeProbe();
        await using var server = await StartAsync(probe);
        var store = (ApiKeyStore)server.Services.GetService(typeof(ApiKeyStore))!;
        var (_, key) = await store.CreateAsync("acme", [ApiKey.GatewayScope], rpm: 100, cancellationToken: Ct);
        using var http = TestServers.Http(server);

        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(200, (int)response.StatusCode);
        // The key's limit and the provider's, from the singletons the filter and the header writer now hold.
        Assert.Equal("100", Assert.Single(response.Headers.GetValues("x-ratelimit-limit-requests")));
        Assert.Equal(1, server.Emulator!.TotalRequestCount);
        var (seenPath, scoped) = await probe.NextAsync();
        Assert.Empty(probe.Requests);
        Assert.Equal("/" + path, seenPath);
        Assert.False(scoped, "the request created a DI scope (HttpContext.RequestServices was used)");
    }

    [Fact]
    public async Task The_probe_sees_a_request_that_uses_its_services()
    {
        using var probe = new ScopeProbe();
        await using var server = await StartAsync(probe);
        using var http = TestServers.Http(server);

        using var response = await http.GetAsync(ScopeProbe.ScopedPath, Ct);

        Assert.Equal(204, (int)response.StatusCode);
        Assert.True((await probe.NextAsync()).Scoped);
        Assert.Empty(probe.Requests);
    }

    private static Task<GatewayServer> StartAsync(ScopeProbe probe)
    {
        var file = TestServers.WriteConfig(TestServers.DefaultYaml);
        var db = Path.Combine(Path.GetTempPath(), "companyos-server-tests", Guid.NewGuid().ToString("N") + ".db");
        string[] args = ["--urls", "http://127.0.0.1:0", "--contentRoot", Path.GetDirectoryName(file)!, "--config", file,
            "--Logging:LogLevel:Default=None", "--emulator", "--keys-db", db];
        return GatewayServer.StartAsync(args, emulatorOptions: null, services => services.AddSingleton<IStartupFilter>(probe), Ct);
    }

    /// <summary>
    /// First in the pipeline: after each request, whether it created a request scope (the services feature is set on first
    /// use of <see cref="HttpContext.RequestServices"/>). <see cref="ScopedPath"/> uses the request's services itself.
    /// The client can hold the whole response before the middleware returns, so a test waits for the record
    /// (<see cref="NextAsync"/>) rather than reading the queue when its response arrives.
    /// </summary>
    private sealed class ScopeProbe : IStartupFilter, IDisposable
    {
        public const string ScopedPath = "/probe/scoped";

        private readonly SemaphoreSlim recorded = new(0);

        public ConcurrentQueue<(string Path, bool Scoped)> Requests { get; } = new();

        public void Dispose() => recorded.Dispose();

        /// <summary>Takes the next recorded request, waiting (bounded) for its middleware to finish.</summary>
        public async Task<(string Path, bool Scoped)> NextAsync()
        {
            Assert.True(await recorded.WaitAsync(TimeSpan.FromSeconds(10), Ct), "no request finished the probe within 10 s");
            Assert.True(Requests.TryDequeue(out var request));
            return request;
        }

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, following) =>
            {
                if (context.Request.Path == ScopedPath)
                {
                    _ = context.RequestServices.GetService<TimeProvider>();
                    context.Response.StatusCode = 204;
                }
                else
                {
                    await following(context);
                }

                Requests.Enqueue((context.Request.Path.Value ?? "", context.Features.Get<IServiceProvidersFeature>() is not null));
                recorded.Release();
            });
            next(app);
        };
    }
}
