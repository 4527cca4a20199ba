using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Runtime;
using CompanyOs.Configuration;
using CompanyOs.Events;
using CompanyOs.Events.Postgres;
using CompanyOs.Events.Sqlite;
using CompanyOs.Prompts;
using CompanyOs.Prompts.Library;
using CompanyOs.Server.Hosting;
using CompanyOs.Tools;
using CompanyOs.Tools.Configuration;
using CompanyOs.Tools.Mcp;
using CompanyOs.Tools.Registry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace CompanyOs.Server.Agents;

/// <summary>
/// The server's agent runtime and what it is built from: the run store (SQLite file or PostgreSQL), agent definitions,
/// prompts and tools, and the <see cref="RunScheduler"/> that drives runs in the background. Built when the host starts
/// (bad configuration fails start-up), stopped before it stops: drives end and release their leases, runs stay resumable.
/// </summary>
/// <remarks>
/// A gateway-only server — no agent definitions, prompts or tools configured or in their default places, and a SQLite run
/// store without a single event, so no run to take over — opens and checks its run store at start-up (errors fail start-up
/// as always), closes it again and builds the runtime on the first request of the agent API instead: the runtime's
/// assemblies, types, code and store connections (several MB of resident memory, docs/benchmarks.md "RSS after load,
/// eighth session") are then not loaded by servers that never use it. Every other server builds it at start-up.
/// </remarks>
internal sealed class AgentRuns(
    IOptions<ServerOptions> options,
    IChatClient gateway,
    IHostEnvironment environment,
    IConfiguration configuration,
    IServiceProvider services,
    TimeProvider time,
    ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private readonly List<object> _owned = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger = loggers.CreateLogger<AgentRuns>();
    private RunScheduler? _scheduler;
    private Task? _stopped;
    private Task? _waking;
    private volatile bool _deferred;

    // What BuildAsync built, in one object of this assembly: no field of this class has a type of the runtime's assemblies,
    // so a deferred runtime loads none of them (nor does a debug build's JIT, for the constructor).
    private Parts? _parts;

    public AgentRuntime Runtime => Built.Runtime;

    public IEventStore Store => Built.Store;

    public IReadOnlyDictionary<string, AgentDefinition> Definitions => Built.Definitions;

    public IToolRegistry Tools => Built.Tools;

    public IPromptLibrary Prompts => Built.Prompts;

    public TimeProvider Time => time;

    /// <summary>The steps of the runs this server drives, for their event streams.</summary>
    public RunStepHub Hub => services.GetRequiredService<RunStepHub>();

    private Parts Built => _parts ?? throw new InvalidOperationException("The agent runtime has not started.");

    public RunScheduler Scheduler => _scheduler ?? throw new InvalidOperationException("The agent runtime has not started.");

    /// <summary>True when every provider is answered by the in-process emulator (runs say so).</summary>
    public bool Emulated => options.Value.Emulator;

    /// <summary>Whether the runtime was left to be built on first use (a gateway-only server) and is not built yet.</summary>
    public bool IsDeferred => _deferred && !_ready.Task.IsCompleted;

    /// <summary>
    /// Completes once the runtime is built; requests that arrive earlier wait for it. A runtime deferred at start-up is built
    /// now (once, whoever asks first; a failed build is tried again by the next caller, and its error given to the callers
    /// that waited for it).
    /// </summary>
    public Task WhenReadyAsync()
    {
        if (!_deferred || _ready.Task.IsCompleted)
        {
            return _ready.Task;
        }

        lock (_owned)
        {
            if (_stopped is not null)
            {
                return Task.FromException(new InvalidOperationException("The server is stopping: the agent runtime is not started."));
            }

            // On the thread pool, outside this lock: the build opens files and the store, and a failure must find _waking set
            // to clear it.
            return _waking ??= Task.Run(WakeAsync);
        }
    }

    /// <exception cref="ConfigurationException">The run store, agent definitions, prompts or tools cannot be loaded.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await IsUnusedAsync(cancellationToken))
            {
                _deferred = true;
                var store = StoreDescription(options.Value);
                AgentLog.RuntimeDeferred(_logger, store);
                return;
            }

            await StartRuntimeAsync(cancellationToken);
        }
        catch (Exception e)
        {
            _ready.TrySetException(e);
            throw;
        }
    }

    /// <summary>Stops driving: running drives end and release their leases; their runs stay resumable. Once, however often called.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_owned)
        {
            // The host stops it, and the server's own disposal may too, concurrently: both wait for the one stop.
            return _stopped ??= StopOnceAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    private async Task StartRuntimeAsync(CancellationToken cancellationToken)
    {
        await BuildAsync(cancellationToken);
        _ready.TrySetResult();
        _scheduler!.Start();
        _scheduler.TakeOverInBackground();
    }

    private async Task WakeAsync()
    {
        try
        {
            await StartRuntimeAsync(_stopping.Token);
        }
        catch
        {
            // What the failed build opened is closed again; the next caller tries anew.
            await DisposeOwnedAsync();
            _scheduler?.Dispose();
            _scheduler = null;
            _parts = null;
            lock (_owned)
            {
                _waking = null;
            }

            throw;
        }
    }

    /// <summary>
    /// True when there is nothing for the runtime to do until the agent API is used: no agent definitions, prompts or tools
    /// (configured or in their default places) and a SQLite run store without events. The store is opened to check (so a
    /// store that cannot be opened fails start-up as always) and closed again.
    /// </summary>
    private async Task<bool> IsUnusedAsync(CancellationToken cancellationToken)
    {
        var server = options.Value;
        var paths = RuntimePaths.Of(server, environment.ContentRootPath, configuration);
        if (server.RunsPostgres is not null || paths.HasAgents || paths.HasPrompts || paths.HasTools)
        {
            return false;
        }

        var store = await OpenStoreAsync(server, environment.ContentRootPath, cancellationToken);
        try
        {
            await foreach (var _ in store.ReadAllAsync(maxCount: 1, cancellationToken: cancellationToken))
            {
                return false;
            }

            return true;
        }
        finally
        {
            await ((IAsyncDisposable)store).DisposeAsync();
        }
    }

    private async Task StopOnceAsync()
    {
        await _stopping.CancelAsync();
        if (Volatile.Read(ref _waking) is { } waking)
        {
            try
            {
                await waking;
            }
            catch (Exception e) when (e is OperationCanceledException or ConfigurationException or EventStoreException)
            {
                // Stopped while building on first use: that build's failure is its callers' to see.
            }
        }

        if (_scheduler is not null)
        {
            await _scheduler.StopAsync();
        }

        await DisposeOwnedAsync();
        if (_scheduler is not null)
        {
            await _scheduler.WorkersStoppedAsync();
            _scheduler.Dispose();
        }
    }

    private async Task DisposeOwnedAsync()
    {
        object[] owned;
        lock (_owned)
        {
            owned = [.. _owned];
            _owned.Clear();
        }

        for (var i = owned.Length - 1; i >= 0; i--)
        {
            switch (owned[i])
            {
                case IAsyncDisposable d:
                    await d.DisposeAsync();
                    break;
                case IDisposable d:
                    d.Dispose();
                    break;
            }
        }
    }

    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        var server = options.Value;
        var root = environment.ContentRootPath;
        var paths = RuntimePaths.Of(server, root, configuration);
        string? Env(string name) => configuration[name] ?? ProcessEnvironment.Lookup(name);

        IReadOnlyDictionary<string, AgentDefinition> definitions = paths.HasAgents
            ? AgentDefinitionLoader.LoadDirectory(paths.Agents, Env)
            : new Dictionary<string, AgentDefinition>();

        IPromptLibrary prompts;
        try
        {
            // A gateway-only setup has no prompts: the default directory may be missing; a configured one may not.
            prompts = Own(new PromptLibrary(new PromptLibraryOptions { Directory = paths.Prompts, TimeProvider = time, FailOnLoadErrors = paths.HasPrompts }));
        }
        catch (PromptException e)
        {
            throw new ConfigurationException(e.File ?? paths.Prompts, "prompts_directory", e.Message, e);
        }

        IToolRegistry tools = new ToolRegistry();
        if (paths.HasTools)
        {
            var toolOptions = await new ToolsConfigLoader(Env).LoadAsync(paths.Tools, cancellationToken);
            try
            {
                tools = Own(await ToolSet.CreateAsync(toolOptions, timeProvider: time, loggerFactory: loggers, cancellationToken: cancellationToken)).Registry;
            }
            catch (Exception e) when (e is ToolRegistrationException or McpImportException)
            {
                throw new ConfigurationException(paths.Tools, "tools_config", e.Message, e);
            }
        }

        var eventStore = Own(await OpenStoreAsync(server, root, cancellationToken));
        var runtimeOptions = new AgentRuntimeOptions
        {
            ConfigurationPath = paths.LlmConfig,
            LeaseDuration = TimeSpan.FromSeconds(server.RunLeaseSeconds),
            Emulated = server.Emulator,
        };
        var runtime = Own(new AgentRuntime(gateway, eventStore, tools, prompts, definitions, runtimeOptions, time, loggers.CreateLogger<AgentRuntime>()));
        _scheduler = new RunScheduler(runtime, Hub, server.MaxConcurrentRuns, runtimeOptions.LeaseDuration, time, loggers.CreateLogger<RunScheduler>());
        _parts = new Parts(runtime, eventStore, definitions, tools, prompts);
        var store = StoreDescription(server);
        AgentLog.RuntimeReady(_logger, definitions.Count, store, server.MaxConcurrentRuns);
    }

    private async Task<IEventStore> OpenStoreAsync(ServerOptions server, string root, CancellationToken cancellationToken)
    {
        try
        {
            if (server.RunsPostgres is { } connection)
            {
                return await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = connection, Schema = server.RunsPostgresSchema }, time, cancellationToken: cancellationToken);
            }

            var file = Path.GetFullPath(server.RunsDatabase, root);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            return await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = file }, time, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is EventStoreException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            // The message of a PostgreSQL failure names host, port and database, never the password.
            var key = server.RunsPostgres is null ? "runs_database" : "runs_postgres";
            throw new ConfigurationException("(server configuration)", key, $"the run store cannot be opened: {e.Message}", e);
        }
    }

    private string StoreDescription(ServerOptions server) =>
        server.RunsPostgres is null ? Path.GetFullPath(server.RunsDatabase, environment.ContentRootPath) : "PostgreSQL";

    private T Own<T>(T item)
        where T : notnull
    {
        lock (_owned)
        {
            _owned.Add(item);
        }

        return item;
    }

    private sealed record Parts(
        AgentRuntime Runtime, IEventStore Store, IReadOnlyDictionary<string, AgentDefinition> Definitions, IToolRegistry Tools, IPromptLibrary Prompts);
}
