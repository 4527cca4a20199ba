using System.Net;
using CompanyOs.Emulator.Anthropic;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Hosting;
using CompanyOs.Emulator.Ollama;
using CompanyOs.Emulator.OpenAI;
using CompanyOs.Emulator.Scripting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CompanyOs.Emulator;

/// <summary>
/// A loopback HTTP server speaking the real OpenAI, Anthropic and Ollama wire formats, backed by a deterministic
/// scripted model with fault injection. Start one per test (port 0) and point the official SDKs at it:
/// OpenAI endpoint <see cref="OpenAIEndpoint"/> (<c>{BaseUri}v1</c>), Anthropic base URL <see cref="BaseUri"/>,
/// Ollama URI <see cref="BaseUri"/>.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmulatorState _state;

    private EmulatorServer(WebApplication app, EmulatorState state, Uri baseUri)
    {
        _app = app;
        _state = state;
        BaseUri = baseUri;
    }

    /// <summary>Root URL, e.g. <c>http://127.0.0.1:5123/</c> (always ends with '/'). Anthropic and Ollama SDKs take this.</summary>
    public Uri BaseUri { get; }

    /// <summary>OpenAI SDK endpoint: <c>{BaseUri}v1</c>.</summary>
    public Uri OpenAIEndpoint => new(BaseUri, "v1");

    /// <summary>Turns the model plays before falling back to its deterministic default.</summary>
    public TurnScript Script => _state.Script;

    /// <summary>Faults injected into upcoming requests.</summary>
    public FaultPlan Faults => _state.Faults;

    /// <summary>The options the server runs with (do not change them after start).</summary>
    public EmulatorOptions Options => _state.Options;

    /// <summary>Requests received so far (bounded by <see cref="EmulatorOptions.MaxRecordedRequests"/>), oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _state.Ledger.Recorded;

    /// <summary>Starts a server on 127.0.0.1 (port <see cref="EmulatorOptions.Port"/>, 0 = ephemeral).</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public static async Task<EmulatorServer> StartAsync(EmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmulatorOptions();
        options.Validate();
        var state = new EmulatorState(options);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(EmulatorServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, options.Port);
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        var pipeline = new RequestPipeline(state);
        app.MapOpenAI(pipeline, state);
        app.MapAnthropic(pipeline, state);
        app.MapOllama(pipeline, state);
        app.MapFallback((Microsoft.AspNetCore.Http.HttpContext context) => UnknownRoute.HandleAsync(context));

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseUri = new Uri(address.TrimEnd('/') + "/");
        EmulatorLog.Listening(state.Logger, baseUri);
        return new EmulatorServer(app, state, baseUri);
    }

    /// <summary>Requests received on <paramref name="route"/>, including failed and faulted ones.</summary>
    public int RequestCount(EmulatorRoute route) => _state.Ledger.Count(route);

    /// <summary>Requests received on all routes.</summary>
    public int TotalRequestCount => _state.Ledger.Total;

    /// <summary>Clears script, faults, counters and recorded requests (for reuse across test cases).</summary>
    public void Reset()
    {
        _state.Script.Clear();
        _state.Faults.Clear();
        _state.Ledger.Clear();
    }

    /// <summary>Stops listening; requests still open may finish until <paramref name="cancellationToken"/> fires, then they are cut.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
