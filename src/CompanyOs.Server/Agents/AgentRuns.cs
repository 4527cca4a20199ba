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
internal sealed class AgentRuns(
    IOptions<ServerOptions> options,
    IChatClient gateway,
    IHostEnvironment environment,
    IConfiguration configuration,
    RunStepHub hub,
    TimeProvider time,
    ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private readonly List<object> _owned = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger = loggers.CreateLogger<AgentRuns>();
    private RunScheduler? _scheduler;
    private Task? _stopped;

    public AgentRuntime Runtime { get; private set; } = null!;

    public IEventStore Store { get; private set; } = null!;

    public IReadOnlyDictionary<string, AgentDefinition> Definitions { get; private set; } = new Dictionary<string, AgentDefinition>();

    public IToolRegistry Tools { get; private set; } = new ToolRegistry();

    public IPromptLibrary Prompts { get; private set; } = null!;

    public TimeProvider Time => time;

    /// <summary>The steps of the runs this server drives, for their event streams.</summary>
    public RunStepHub Hub => hub;

    public RunScheduler Scheduler => _scheduler ?? throw new InvalidOperationException("The agent runtime has not started.");

    /// <summary>True when every provider is answered by the in-process emulator (runs say so).</summary>
    public bool Emulated => options.Value.Emulator;

    /// <summary>Completes once the runtime is built; requests that arrive earlier wait for it.</summary>
    public Task Ready => _ready.Task;

    /// <exception cref="ConfigurationException">The run store, agent definitions, prompts or tools cannot be loaded.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await BuildAsync(cancellationToken);
            _ready.TrySetResult();
        }
        catch (Exception e)
        {
            _ready.TrySetException(e);
            throw;
        }

        _scheduler!.Start();
        _scheduler.TakeOverInBackground();
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

    private async Task StopOnceAsync()
    {
        if (_scheduler is not null)
        {
            await _scheduler.StopAsync();
        }

        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            switch (_owned[i])
            {
                case IAsyncDisposable d:
                    await d.DisposeAsync();
                    break;
                case IDisposable d:
                    d.Dispose();
                    break;
            }
        }

        if (_scheduler is not null)
        {
            await _scheduler.WorkersStoppedAsync();
            _scheduler.Dispose();
        }
    }

    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        var server = options.Value;
        var root = environment.ContentRootPath;
        var llm = configuration["CompanyOs:Llm:ConfigFile"] is { Length: > 0 } configured ? configured : "config/llm.yaml";
        llm = Path.GetFullPath(llm, root);
        var configDirectory = Path.GetDirectoryName(llm)!;
        string? Env(string name) => configuration[name] ?? ProcessEnvironment.Lookup(name);

        var agents = server.AgentsDirectory is { } a ? Path.GetFullPath(a, root) : Path.Combine(configDirectory, "agents");
        Definitions = server.AgentsDirectory is not null || Directory.Exists(agents)
            ? AgentDefinitionLoader.LoadDirectory(agents, Env)
            : new Dictionary<string, AgentDefinition>();

        var prompts = server.PromptsDirectory is { } p ? Path.GetFullPath(p, root) : Path.Combine(Path.GetDirectoryName(configDirectory) ?? configDirectory, "prompts");
        try
        {
            // A gateway-only setup has no prompts: the default directory may be missing; a configured one may not.
            var required = server.PromptsDirectory is not null || Directory.Exists(prompts);
            Prompts = Own(new PromptLibrary(new PromptLibraryOptions { Directory = prompts, TimeProvider = time, FailOnLoadErrors = required }));
        }
        catch (PromptException e)
        {
            throw new ConfigurationException(e.File ?? prompts, "prompts_directory", e.Message, e);
        }

        var tools = server.ToolsConfig is { } t ? Path.GetFullPath(t, root) : Path.Combine(configDirectory, "tools.yaml");
        if (server.ToolsConfig is not null || File.Exists(tools))
        {
            var toolOptions = await new ToolsConfigLoader(Env).LoadAsync(tools, cancellationToken);
            try
            {
                Tools = Own(await ToolSet.CreateAsync(toolOptions, timeProvider: time, loggerFactory: loggers, cancellationToken: cancellationToken)).Registry;
            }
            catch (Exception e) when (e is ToolRegistrationException or McpImportException)
            {
                throw new ConfigurationException(tools, "tools_config", e.Message, e);
            }
        }

        Store = Own(await OpenStoreAsync(server, root, cancellationToken));
        var runtimeOptions = new AgentRuntimeOptions
        {
            ConfigurationPath = llm,
            LeaseDuration = TimeSpan.FromSeconds(server.RunLeaseSeconds),
            Emulated = server.Emulator,
        };
        Runtime = Own(new AgentRuntime(gateway, Store, Tools, Prompts, Definitions, runtimeOptions, time, loggers.CreateLogger<AgentRuntime>()));
        _scheduler = new RunScheduler(Runtime, hub, server.MaxConcurrentRuns, runtimeOptions.LeaseDuration, time, loggers.CreateLogger<RunScheduler>());
        AgentLog.RuntimeReady(_logger, Definitions.Count, server.RunsPostgres is null ? Path.GetFullPath(server.RunsDatabase, root) : "PostgreSQL", server.MaxConcurrentRuns);
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

    private T Own<T>(T item)
        where T : notnull
    {
        _owned.Add(item);
        return item;
    }
}
