using System.Collections.Concurrent;
using System.Diagnostics;
using CompanyOs.Server.Hosting;
using CompanyOs.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>
/// ASP.NET Core's per-request activity only when something uses it (<see cref="RequestDiagnostics"/>): none for an untraced
/// request without tracing configured, while a caller's trace context still reaches the upstream, tracing (when configured)
/// still sees server and client spans, and the host's error lines (an unhandled exception in a request, a pipeline that
/// fails to build at start-up) are still logged. Activity listeners are process-wide, so these run alone.
/// </summary>
[Collection(nameof(ProcessWideActivityListeners))]
public sealed class RequestDiagnosticsTests : IAsyncLifetime
{
    private const string ChatBody = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""";
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string CallerTraceParent = $"00-{TraceId}-00f067aa0ba902b7-01";

    private readonly DiagnosticsProbe _probe = new();
    private CannedOpenAIUpstream _upstream = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _upstream = await CannedOpenAIUpstream.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task Without_tracing_an_untraced_request_starts_no_activity_and_sends_the_upstream_no_trace_id()
    {
        await using var server = await StartAsync();
        using var http = TestServers.Http(server);

        using var call = await http.PostJsonAsync("v1/chat/completions", ChatBody);

        Assert.Equal(200, (int)call.StatusCode);
        Assert.False(server.Services.GetRequiredService<ILoggerFactory>().CreateLogger(RequestDiagnostics.HostingCategory).IsEnabled(LogLevel.Critical),
            "after start-up the hosting request logger is off when its request lines are");
        Assert.Null(Assert.Single(_probe.Activities));
        Assert.Equal((null, null, null), Assert.Single(_upstream.TraceHeaders));
    }

    [Fact]
    public async Task Without_tracing_the_callers_trace_context_still_reaches_the_upstream()
    {
        await using var server = await StartAsync();
        using var http = TestServers.Http(server);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(ChatBody, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("traceparent", CallerTraceParent);
        request.Headers.Add("tracestate", "vendor=opaque");
        request.Headers.Add("baggage", "tenant=acme,region=eu");

        using var call = await http.SendAsync(request, Ct);

        Assert.Equal(200, (int)call.StatusCode);
        var (traceParent, traceState, baggage) = Assert.Single(_upstream.TraceHeaders);
        // The caller's trace, a span of its own (the upstream call's), the sampled flag, the trace state and baggage.
        Assert.Matches($"^00-{TraceId}-[0-9a-f]{{16}}-01$", traceParent);
        Assert.NotEqual(CallerTraceParent, traceParent);
        Assert.Equal("vendor=opaque", traceState);
        Assert.Equal("tenant=acme,region=eu", baggage?.Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_request_logs_on_the_host_still_starts_its_activity_for_every_request()
    {
        await using var server = await StartAsync("--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information");
        using var http = TestServers.Http(server);

        using var call = await http.PostJsonAsync("v1/chat/completions", ChatBody);

        Assert.Equal(200, (int)call.StatusCode);
        Assert.Equal(RequestDiagnostics.ActivityName, Assert.Single(_probe.Activities)?.OperationName);
        Assert.Contains(_probe.Logs.Entries, e => e.Category == RequestDiagnostics.HostingCategory && e.Message.StartsWith("Request starting", StringComparison.Ordinal));
        Assert.NotNull(Assert.Single(_upstream.TraceHeaders).TraceParent);
    }

    [Fact]
    public async Task With_tracing_configured_server_and_upstream_spans_continue_the_callers_trace()
    {
        await using var server = await StartAsync("--OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9", "--OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
            "--OTEL_EXPORTER_OTLP_TIMEOUT=1000");
        using var http = TestServers.Http(server);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(ChatBody, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("traceparent", CallerTraceParent);

        using var call = await http.SendAsync(request, Ct);
        using var untraced = await http.PostJsonAsync("v1/chat/completions", ChatBody);

        Assert.Equal(200, (int)call.StatusCode);
        Assert.Equal(200, (int)untraced.StatusCode);
        var activities = _probe.Activities.ToArray();
        Assert.Equal(2, activities.Length);
        Assert.All(activities, a => Assert.Equal("Microsoft.AspNetCore", a?.Source));
        Assert.Equal(TraceId, activities[0]!.TraceId);
        Assert.Equal("00f067aa0ba902b7", activities[0]!.ParentSpanId);
        var upstream = _upstream.TraceHeaders.ToArray();
        Assert.Matches($"^00-{TraceId}-[0-9a-f]{{16}}-01$", upstream[0].TraceParent);
        // The untraced request starts a trace of its own, which the upstream call continues.
        Assert.Matches($"^00-{activities[1]!.TraceId}-[0-9a-f]{{16}}-0[01]$", upstream[1].TraceParent);
    }

    [Fact]
    public async Task An_unhandled_exception_in_a_request_is_still_logged_as_an_error()
    {
        await using var server = await StartAsync();
        using var http = TestServers.Http(server);

        using var call = await http.GetAsync(new Uri(DiagnosticsProbe.ThrowPath, UriKind.Relative), Ct);

        Assert.Equal(500, (int)call.StatusCode);
        var entry = await _probe.Logs.WaitForAsync(e => e.Exception?.Message == DiagnosticsProbe.UnhandledMessage);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.StartsWith("Microsoft.AspNetCore.Server.Kestrel", entry.Category, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_pipeline_that_fails_to_build_at_start_up_is_still_logged_and_thrown()
    {
        _probe.FailPipeline = true;

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync());

        Assert.Equal(DiagnosticsProbe.PipelineMessage, failure.Message);
        var entry = await _probe.Logs.WaitForAsync(e => e.Exception?.Message == DiagnosticsProbe.PipelineMessage);
        Assert.Equal(RequestDiagnostics.HostingCategory, entry.Category);
        Assert.True(entry.Level >= LogLevel.Error, $"logged at {entry.Level}");
    }

    private Task<GatewayServer> StartAsync(params string[] extraArgs)
    {
        var file = TestServers.WriteConfig($$"""
            providers:
              openai:
                api_key: "sk-canned"
                base_url: "{{_upstream.BaseUri}}"
                default_model: "gpt-4o-mini"
                max_retries: 0
            circuit_breaker: { enabled: false }
            """);
        string[] args = ["--urls", "http://127.0.0.1:0", "--contentRoot", Path.GetDirectoryName(file)!, "--config", file,
            "--Logging:LogLevel:Default=Warning", .. extraArgs];
        return GatewayServer.StartAsync(args, emulatorOptions: null, services =>
        {
            services.AddSingleton<ILoggerProvider>(_probe.Logs);
            services.AddSingleton<IStartupFilter>(_probe);
        }, Ct);
    }
}

[CollectionDefinition(nameof(ProcessWideActivityListeners), DisableParallelization = true)]
public sealed class ProcessWideActivityListeners;

/// <summary>
/// Records <see cref="Activity.Current"/> as the request pipeline starts (what the host started), throws at
/// <see cref="ThrowPath"/>, or fails the pipeline's build when told to; keeps every log entry of the server.
/// </summary>
public sealed class DiagnosticsProbe : IStartupFilter
{
    public const string ThrowPath = "probe/throw";
    public const string UnhandledMessage = "diagnostics probe: an unhandled failure";
    public const string PipelineMessage = "diagnostics probe: the request pipeline cannot be built";

    public bool FailPipeline { get; set; }

    public ConcurrentQueue<ActivitySeen?> Activities { get; } = new();

    public LogSink Logs { get; } = new();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        if (FailPipeline)
        {
            throw new InvalidOperationException(PipelineMessage);
        }

        app.Use((context, following) =>
        {
            if (context.Request.Path == "/" + ThrowPath)
            {
                throw new InvalidOperationException(UnhandledMessage);
            }

            var current = Activity.Current;
            Activities.Enqueue(current is null ? null : new ActivitySeen(current.OperationName, current.Source.Name, current.TraceId.ToHexString(), current.ParentSpanId.ToHexString()));
            return following(context);
        });
        next(app);
    };

    public sealed record ActivitySeen(string OperationName, string Source, string TraceId, string ParentSpanId);

    public sealed record LogEntry(string Category, LogLevel Level, string Message, Exception? Exception);

    public sealed class LogSink : ILoggerProvider
    {
        public ConcurrentQueue<LogEntry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new SinkLogger(this, categoryName);

        public async Task<LogEntry> WaitForAsync(Func<LogEntry, bool> match)
        {
            for (var i = 0; i < 600; i++)
            {
                if (Entries.FirstOrDefault(match) is { } entry)
                {
                    return entry;
                }

                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            throw new TimeoutException($"No such log entry in 30 s; logged: {string.Join(" | ", Entries.Select(e => $"{e.Level} {e.Category}: {e.Message}"))}");
        }

        public void Dispose()
        {
        }

        private sealed class SinkLogger(LogSink sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception), exception));
        }
    }
}
