using CompanyOs.Configuration;
using CompanyOs.Emulator;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Hosting;
using CompanyOs.Llm.Models;
using CompanyOs.Llm.Tokens;
using CompanyOs.Server.Agents;
using CompanyOs.Server.Anthropic;
using CompanyOs.Server.Dashboard;
using CompanyOs.Server.Errors;
using CompanyOs.Server.Gateway;
using CompanyOs.Server.Keys;
using CompanyOs.Server.Models;
using CompanyOs.Server.OpenAI;
using CompanyOs.Server.Usage;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Gateway.Budgets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// The gateway's HTTP server: builds the ASP.NET Core application around <c>AddLlmGateway</c>, starts it and owns the
/// in-process emulator in <c>--emulator</c> mode. Start-up fails (with the file, key and variable named) on bad configuration.
/// </summary>
internal sealed class GatewayServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayServer(WebApplication app, EmulatorServer? emulator)
    {
        _app = app;
        Emulator = emulator;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUri = new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
    }

    /// <summary>The first address the server listens on, ending with '/'.</summary>
    public Uri BaseUri { get; }

    /// <summary>The in-process emulator answering every provider in emulator mode; null otherwise.</summary>
    public EmulatorServer? Emulator { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Builds and starts the server from command-line arguments (see <see cref="ServerArguments"/>).</summary>
    /// <exception cref="ConfigurationException">The server section or (in emulator mode) <c>llm.yaml</c> is invalid.</exception>
    /// <exception cref="OptionsValidationException"><c>llm.yaml</c> is invalid or an enabled provider has no key.</exception>
    public static Task<GatewayServer> StartAsync(string[] args, EmulatorOptions? emulatorOptions = null, CancellationToken cancellationToken = default) =>
        StartAsync(args, emulatorOptions, configureServices: null, cancellationToken);

    /// <summary>As <see cref="StartAsync(string[], EmulatorOptions?, CancellationToken)"/>, with <paramref name="configureServices"/> run
    /// on the host's services after the server's own (tests add log sinks and start-up filters this way).</summary>
    internal static async Task<GatewayServer> StartAsync(string[] args, EmulatorOptions? emulatorOptions, Action<IServiceCollection>? configureServices,
        CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(ServerArguments.Normalize(args));
        var options = ServerArguments.ReadOptions(builder.Configuration, builder.Environment.ContentRootPath);
        ConfigureHost(builder, options);
        configureServices?.Invoke(builder.Services);
        // A start-up failure reaches the caller, which reports it in one line; the host would first log it with a stack trace.
        var started = false;
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", level => level >= LogLevel.Information && (level < LogLevel.Error || Volatile.Read(ref started)));
        EmulatorServer? emulator = null;
        WebApplication? app = null;
        try
        {
            if (options.Emulator)
            {
                var file = LlmGatewayOptions.ResolveConfigFile(builder.Configuration, builder.Environment.ContentRootPath);
                (var llm, emulator) = await EmulatorMode.StartAsync(file, name => builder.Configuration[name] ?? ProcessEnvironment.Lookup(name),
                    emulatorOptions, cancellationToken);
                builder.Services.AddLlmGateway(o => o.Llm = llm);
            }
            else
            {
                builder.Services.AddLlmGateway(builder.Configuration);
            }

            app = builder.Build();
            Map(app, options);
            if (app.Services.GetService<ServerStore>() is { } store)
            {
                await store.InitializeAsync(cancellationToken);
            }

            await app.StartAsync(cancellationToken);
            Volatile.Write(ref started, true);
            RequestDiagnostics.HostStarted(app.Services);
            var server = new GatewayServer(app, emulator);
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<GatewayServer>();
            if (emulator is not null)
            {
                var llm = app.Services.GetRequiredService<LlmOptions>();
                ServerLog.EmulatorMode(logger, string.Join(", ", llm.Providers.Values.Where(p => p.Enabled).Select(p => p.Name)), emulator.BaseUri);
            }

            if (!options.KeysOn)
            {
                ServerLog.KeysOff(logger, options.DefaultOrg);
            }

            ServerLog.Listening(logger, server.BaseUri);
            return server;
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            if (emulator is not null)
            {
                await emulator.DisposeAsync();
            }

            throw;
        }
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
    }

    private static void ConfigureHost(WebApplicationBuilder builder, ServerOptions options)
    {
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton<ShutdownDrain>();
        builder.Services.AddSingleton<ModelDirectory>();
        builder.Services.AddServerMetrics();
        builder.Services.AddServerTelemetry(builder.Configuration);
        builder.Services.AddRequestDiagnostics();
        builder.Services.AddAgentRuns();
        var readiness = builder.Services.AddHealthChecks();
        // Registered before the gateway is built, so that the gateway (limits, budgets) and count_tokens count alike.
        builder.Services.AddSingleton<ITokenCounter>(sp => new TiktokenTokenCounter(sp.GetRequiredService<ModelCatalog>()));
        if (options.KeysOn)
        {
            var root = builder.Environment.ContentRootPath;
            var configuration = builder.Configuration;
            builder.Services.AddSingleton(sp => ServerStore.Open(options, root, name => configuration[name] ?? ProcessEnvironment.Lookup(name),
                sp.GetRequiredService<TimeProvider>())!);
            builder.Services.AddSingleton(sp => sp.GetRequiredService<ServerStore>().Keys);
            builder.Services.AddSingleton(sp => sp.GetRequiredService<ServerStore>().Usage);
            builder.Services.AddSingleton(sp => new DurableSpendStore(sp.GetRequiredService<ServerStore>().Spend, sp.GetRequiredService<ILogger<DurableSpendStore>>(),
                sp.GetRequiredService<TimeProvider>()));
            builder.Services.AddSingleton<ISpendStore>(sp => sp.GetRequiredService<DurableSpendStore>());
            builder.Services.AddSingleton<UsageRecorder>();
            builder.Services.AddSingleton<ILlmCallRecorder>(sp => sp.GetRequiredService<UsageRecorder>());
            builder.Services.AddSingleton<KeyRateLimits>();
            readiness.AddCheck<KeyStoreReadiness>("keys");
        }

        if (options.RunsPostgres is not null)
        {
            readiness.AddCheck<RunStoreReadiness>("runs");
        }

        builder.Services.AddRedisSharing(options, readiness);

        // Kestrel cuts what is still open at the host's shutdown timeout: leave the drain time plus a margin to end streams.
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownDrainSeconds + 5));
        // Kestrel runs the request on the thread that read it and sends the response on the thread that wrote it, instead of
        // handing each to its I/O queue (a thread-pool hop each way). Nothing on the /v1 path blocks for long: SQLite
        // look-ups there are the key cache's misses and the spend refresh, at most one per key and second.
        builder.WebHost.UseSockets(s => s.UnsafePreferInlineScheduling = true);

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(options.RequestHeadersTimeoutSeconds);
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(options.KeepAliveTimeoutSeconds);
            k.Limits.MaxRequestHeadersTotalSize = options.MaxRequestHeaderBytes;
            k.Limits.MinRequestBodyDataRate = options.MinRequestBodyBytesPerSecond == 0
                ? null
                : new MinDataRate(options.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(options.MinRequestBodyGraceSeconds));
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(options.Urls ?? ServerOptions.DefaultUrl);
        }
    }

    private static void Map(WebApplication app, ServerOptions options)
    {
        app.UseTraceContextContinuation();
        if (options.Emulator)
        {
            app.Use((context, next) =>
            {
                context.Response.Headers[GatewayHeaders.Emulated] = "true";
                return next(context);
            });
        }

        app.UseRateLimitHeaders();
        app.MapHealth();
        app.MapDashboard();
        app.MapServerMetrics();
        var v1 = app.MapGroup("/v1").RequireApiKeys();
        v1.MapChatCompletions();
        v1.MapMessages();
        v1.MapModels();
        app.MapGroup("/v1").RequireApiKeys(scope: null).MapStats();
        app.MapAgentApi();
        app.MapFallback("/v1/{**path}", (HttpContext http) => WireErrors.Result(http, new ApiError(ApiErrorKind.NotFound,
            $"Unknown endpoint {http.Request.Method} {http.Request.Path}: this server serves /v1/chat/completions, /v1/messages, /v1/messages/count_tokens, /v1/models and /v1/stats.")));
    }
}
