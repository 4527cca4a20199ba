using System.Collections.Concurrent;
using System.Text;
using CompanyOs.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>
/// What leaves the server: the GenAI metrics at <c>/metrics</c> (Prometheus), and traces and metrics over OTLP to a collector
/// named by the standard <c>OTEL_EXPORTER_OTLP_*</c> settings, its headers included.
/// </summary>
public sealed class TelemetryExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_expose_the_GenAI_client_histograms_with_their_buckets_and_the_gateway_counters()
    {
        // Meters are process-wide and other tests run gateways in parallel: a unique org tells this server's calls apart.
        var org = "genai-" + Guid.NewGuid().ToString("N")[..8];
        await using var server = await TestServers.StartAsync(extraArgs: $"--CompanyOs:Server:DefaultOrg={org}");
        using var http = TestServers.Http(server);
        using var call = await http.PostJsonAsync("v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(200, (int)call.StatusCode);

        using var metrics = await http.GetAsync(new Uri("metrics", UriKind.Relative), Ct);
        var lines = (await metrics.Content.ReadAsStringAsync(Ct)).Split('\n');
        string[] Ours(string name) => [.. lines.Where(l => l.StartsWith(name, StringComparison.Ordinal) && l.Contains($"companyos_org=\"{org}\"", StringComparison.Ordinal))];

        Assert.Equal(200, (int)metrics.StatusCode);
        var input = Ours("gen_ai_client_token_usage_bucket").Where(l => l.Contains("gen_ai_token_type=\"input\"", StringComparison.Ordinal)).ToList();
        Assert.Contains(input, l => l.Contains("le=\"67108864\"", StringComparison.Ordinal));
        Assert.Contains(input, l => l.Contains("le=\"4\"", StringComparison.Ordinal));
        Assert.All(input, l =>
        {
            Assert.Contains("gen_ai_operation_name=\"chat\"", l, StringComparison.Ordinal);
            Assert.Contains("gen_ai_provider_name=\"openai\"", l, StringComparison.Ordinal);
            Assert.Contains("gen_ai_request_model=\"gpt-4o\"", l, StringComparison.Ordinal);
            Assert.Contains("gen_ai_response_model=", l, StringComparison.Ordinal);
        });
        Assert.Single(Ours("gen_ai_client_token_usage_count"), l => l.Contains("gen_ai_token_type=\"output\"", StringComparison.Ordinal));
        Assert.Contains(Ours("gen_ai_client_operation_duration_seconds_bucket"), l => l.Contains("le=\"81.92\"", StringComparison.Ordinal));
        Assert.EndsWith(" 1", Assert.Single(Ours("gen_ai_client_operation_duration_seconds_count")).Split(" # ")[0].TrimEnd(), StringComparison.Ordinal);
        Assert.NotEmpty(Ours("companyos_llm_cost"));
        Assert.NotEmpty(Ours("companyos_llm_requests"));
    }

    [Fact]
    public async Task With_an_OTLP_endpoint_traces_and_metrics_reach_the_collector_with_the_configured_headers()
    {
        await using var collector = await FakeCollector.StartAsync();
        var server = await TestServers.StartAsync(extraArgs:
        [
            $"--OTEL_EXPORTER_OTLP_ENDPOINT={collector.BaseAddress}",
            "--OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
            "--OTEL_EXPORTER_OTLP_HEADERS=x-collector-token=collector-secret-1",
        ]);
        try
        {
            using var http = TestServers.Http(server);
            using var call = await http.PostJsonAsync("v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""");
            Assert.Equal(200, (int)call.StatusCode);
        }
        finally
        {
            // Stopping the server flushes its exporters: no wait for the batch or export intervals.
            await server.DisposeAsync();
        }

        var traces = await collector.WaitForAsync("/v1/traces", "chat gpt-4o");
        var metrics = await collector.WaitForAsync("/v1/metrics", "gen_ai.client.token.usage");
        Assert.Equal("collector-secret-1", traces.Token);
        Assert.Equal("collector-secret-1", metrics.Token);
        Assert.Contains("gen_ai.client.operation.duration", metrics.Body, StringComparison.Ordinal);
        Assert.Contains("companyos", traces.Body, StringComparison.Ordinal); // the default service name
    }

    [Fact]
    public async Task The_server_configuration_includes_the_environment_so_OTEL_variables_reach_the_SDK()
    {
        // The SDK reads OTEL_EXPORTER_OTLP_* through the host's IConfiguration (the test above sets them on the command line);
        // a variable every process has shows that unprefixed environment variables are part of it.
        await using var server = await TestServers.StartAsync();
        var configuration = server.Services.GetRequiredService<IConfiguration>();

        Assert.Equal(Environment.GetEnvironmentVariable("PATH"), configuration["PATH"]);
    }

    /// <summary>An OTLP/HTTP endpoint on 127.0.0.1 (any free port) that keeps what it receives.</summary>
    private sealed class FakeCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, string? Token, string Body)> _received = new();

        private FakeCollector(WebApplication app) => _app = app;

        public Uri BaseAddress => new(_app.Urls.First());

        public static async Task<FakeCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var collector = new FakeCollector(app);
            app.MapPost("/v1/{signal}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body, context.RequestAborted);
                // Protobuf carries names as UTF-8: good enough to look for span and instrument names.
                collector._received.Enqueue((context.Request.Path, context.Request.Headers["x-collector-token"].FirstOrDefault(), Encoding.UTF8.GetString(body.ToArray())));
                return Results.Ok();
            });
            await app.StartAsync(TestContext.Current.CancellationToken);
            return collector;
        }

        public async Task<(string? Token, string Body)> WaitForAsync(string path, string containing)
        {
            for (var i = 0; i < 600; i++)
            {
                if (_received.FirstOrDefault(r => r.Path == path && r.Body.Contains(containing, StringComparison.Ordinal)) is { Path: not null } hit)
                {
                    return (hit.Token, hit.Body);
                }

                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            throw new TimeoutException($"The collector received nothing on {path} containing '{containing}' in 30 s (got: {string.Join(", ", _received.Select(r => r.Path))}).");
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
