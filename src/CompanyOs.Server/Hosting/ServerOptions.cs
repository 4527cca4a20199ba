namespace CompanyOs.Server.Hosting;

/// <summary>The server's own settings, bound from the <c>CompanyOs:Server</c> configuration section.</summary>
internal sealed class ServerOptions
{
    public const string SectionName = "CompanyOs:Server";

    /// <summary>Where Kestrel listens when no <c>urls</c> are configured: loopback only, never every interface by default.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Where Kestrel listens (<c>urls</c> in <c>server.yaml</c>); the host's own <c>urls</c> setting wins.</summary>
    public string? Urls { get; set; }

    /// <summary>Largest request body accepted (bytes); larger bodies get 413 in the endpoint's error format.</summary>
    public long MaxRequestBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Answer every provider from the in-process emulator; every response then says so.</summary>
    public bool Emulator { get; set; }

    /// <summary>The organisation calls are attributed to (budgets, stats) when API keys are off (no <see cref="KeysDatabase"/>).</summary>
    public string DefaultOrg { get; set; } = "default";

    /// <summary>How long open streams may continue after shutdown starts (SIGTERM) before they are ended with an error event.</summary>
    public int ShutdownDrainSeconds { get; set; } = 30;

    /// <summary>Time a client has to send the request line and headers (Kestrel's <c>RequestHeadersTimeout</c>); slower connections are closed.</summary>
    public int RequestHeadersTimeoutSeconds { get; set; } = 30;

    /// <summary>How long an idle keep-alive connection stays open (Kestrel's <c>KeepAliveTimeout</c>).</summary>
    public int KeepAliveTimeoutSeconds { get; set; } = 130;

    /// <summary>
    /// Slowest request body accepted, in bytes per second after <see cref="MinRequestBodyGraceSeconds"/> (Kestrel's
    /// <c>MinRequestBodyDataRate</c>); 0 turns the check off. A slower body is answered 408.
    /// </summary>
    public int MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>How long a body may start slower than <see cref="MinRequestBodyBytesPerSecond"/>.</summary>
    public int MinRequestBodyGraceSeconds { get; set; } = 5;

    /// <summary>Largest request line plus headers accepted (Kestrel's <c>MaxRequestHeadersTotalSize</c>); larger get 431.</summary>
    public int MaxRequestHeaderBytes { get; set; } = 32 * 1024;

    /// <summary>
    /// Most streams at once whose provider chunks are handled on the socket's I/O thread as they arrive, instead of waking a
    /// thread-pool worker for each (<see cref="CompanyOs.Llm.Providers.ProviderReads"/>); further streams use the thread
    /// pool. 0: every stream uses the thread pool.
    /// </summary>
    public int InlineStreams { get; set; } = 64;

    /// <summary>SQLite file of API keys, spend and usage; when set, every <c>/v1</c> request needs a key and its org pays. Null: keys are off.</summary>
    public string? KeysDatabase { get; set; }

    /// <summary>Where keys, budget spend and usage are kept: <c>sqlite</c> (the default, <see cref="KeysDatabase"/>) or <c>postgres</c>.</summary>
    public string KeysStore { get; set; } = SqliteStore;

    /// <summary>The environment variable holding the PostgreSQL connection string (<c>keys_store: postgres</c>).</summary>
    public string? KeysConnectionStringEnv { get; set; }

    /// <summary>
    /// How long the server reuses a key record it has read from the store (0: it reads the store on every request). A key
    /// revoked by another process (<c>keys revoke</c>, another instance) is refused at most this long later; unknown keys are
    /// never cached, so a new key works at once.
    /// </summary>
    public int KeyCacheSeconds { get; set; } = 5;

    public const string SqliteStore = "sqlite";

    public const string PostgresStore = "postgres";

    /// <summary>True when API keys are required: a key store is configured.</summary>
    public bool KeysOn => KeysStore == PostgresStore || KeysDatabase is not null;

    /// <summary>SQLite file of agent runs (events, leases); relative to the content root. Ignored when <see cref="RunsPostgres"/> is set.</summary>
    public string RunsDatabase { get; set; } = "data/runs.db";

    /// <summary>PostgreSQL connection string for agent runs (scale-out: several servers share it); null: the SQLite file.</summary>
    public string? RunsPostgres { get; set; }

    /// <summary>The PostgreSQL schema of the run store (servers that share runs use the same one).</summary>
    public string RunsPostgresSchema { get; set; } = "companyos_events";

    /// <summary>Agent definitions; null: <c>agents/</c> next to <c>llm.yaml</c>.</summary>
    public string? AgentsDirectory { get; set; }

    /// <summary>Tool configuration; null: <c>tools.yaml</c> next to <c>llm.yaml</c> (absent: built-in tools only).</summary>
    public string? ToolsConfig { get; set; }

    /// <summary>Prompt templates; null: <c>prompts/</c> next to the directory of <c>llm.yaml</c>.</summary>
    public string? PromptsDirectory { get; set; }

    /// <summary>Runs this server drives at once; more are queued (durably: they are stored as started) until a slot frees.</summary>
    public int MaxConcurrentRuns { get; set; } = 4;

    /// <summary>How long a run's lease lasts without renewal; a crashed server's runs are taken over after it.</summary>
    public int RunLeaseSeconds { get; set; } = 30;

    /// <summary>
    /// StackExchange.Redis configuration string (<c>host:port[,option=value…]</c>); when set, RPM/TPM limits (provider and
    /// per key), budget spend and the response cache are shared through Redis by every instance using it. May hold a
    /// password: never logged or echoed. Null: each instance keeps them alone.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>Every Redis key starts with it (instances that share limits use the same one).</summary>
    public string RedisKeyPrefix { get; set; } = DefaultRedisKeyPrefix;

    /// <summary>Server instances expected to share the limits: during a Redis outage (connection down for the connect timeout) each enforces limit ÷ this.</summary>
    public int Instances { get; set; } = 1;

    public const string DefaultRedisKeyPrefix = "companyos:";
}
