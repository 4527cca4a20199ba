using System.Globalization;
using System.Text.RegularExpressions;
using CompanyOs.Emulator;

namespace CompanyOs.ScaleOut.Tests.Infrastructure;

/// <summary>What a test's instances share and how they are set up.</summary>
internal sealed record ClusterSettings
{
    /// <summary>Extra lines under <c>providers.openai</c> of llm.yaml (e.g. <c>rate_limit_rpm: 10</c>).</summary>
    public string ProviderSettings { get; init; } = string.Empty;

    /// <summary>Extra top-level sections of llm.yaml (e.g. <c>rate_limits</c>, <c>budgets</c>).</summary>
    public string LlmSettings { get; init; } = string.Empty;

    public int RunLeaseSeconds { get; init; } = 30;

    /// <summary>server.yaml <c>key_cache_seconds</c>; null: the server's default (5 s).</summary>
    public int? KeyCacheSeconds { get; init; }

    /// <summary>Share limits, spend and cache through the test Redis (server.yaml <c>redis</c>, <c>redis_key_prefix</c>, <c>instances</c>).</summary>
    public bool SharedRedis { get; init; }

    /// <summary>The PostgreSQL server (no schema); default <c>COMPANYOS_TEST_POSTGRES</c>.</summary>
    public string? Postgres { get; init; }

    public EmulatorOptions Emulator { get; init; } = new();
}

/// <summary>
/// N real server processes over one PostgreSQL (fresh key and run schemas), one Redis (a random key prefix) and one
/// emulator (in the test process, so its request log with arrival times is at hand) — as docs/scale-out.md runs them,
/// minus the load balancer: the test picks the instance of each request.
/// </summary>
internal sealed partial class ScaleOutCluster : IAsyncDisposable
{
    private readonly List<ServerInstance> _instances = [];
    private readonly ClusterSettings _settings;
    private readonly TestRedisPrefix? _redis;

    private ScaleOutCluster(ClusterSettings settings, EmulatorServer emulator, TestSchemas schemas, TestRedisPrefix? redis)
    {
        _settings = settings;
        Emulator = emulator;
        Schemas = schemas;
        _redis = redis;
        var serverYaml = $"""
            keys_store: postgres
            keys_connection_string_env: {ScaleOutProject.KeysVariable}
            runs_postgres: "${"{"}{ScaleOutProject.RunsVariable}{"}"}"
            runs_postgres_schema: {schemas.RunsSchema}
            run_lease_seconds: {settings.RunLeaseSeconds.ToString(CultureInfo.InvariantCulture)}
            max_concurrent_runs: 4
            shutdown_drain_seconds: 2

            """;
        if (settings.KeyCacheSeconds is { } keyCache)
        {
            serverYaml += $"key_cache_seconds: {keyCache.ToString(CultureInfo.InvariantCulture)}\n";
        }

        if (redis is not null)
        {
            serverYaml += $"""
                redis: "${"{"}{ScaleOutProject.RedisVariable}{"}"}"
                redis_key_prefix: "{redis.Prefix}"
                instances: 2

                """;
        }

        Project = new ScaleOutProject(emulator.OpenAIEndpoint, settings.ProviderSettings, settings.LlmSettings, serverYaml);
    }

    public EmulatorServer Emulator { get; }

    public ScaleOutProject Project { get; }

    public TestSchemas Schemas { get; }

    public IReadOnlyList<ServerInstance> Instances => _instances;

    public ServerInstance this[int index] => _instances[index];

    /// <summary>What every instance gets in its environment: the provider key and the stores' connection strings.</summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var environment = new Dictionary<string, string>
            {
                [ScaleOutProject.ProviderKeyVariable] = "sk-scaleout-test",
                [ScaleOutProject.KeysVariable] = Schemas.KeysConnection,
                [ScaleOutProject.RunsVariable] = Schemas.Server,
            };
            if (_redis is not null)
            {
                // Generous command timeouts (the server's default is 500 ms): on a loaded 2-core CI machine a slow answer would
                // refuse (429) requests these tests expect admitted; they check what instances share while Redis is up (its
                // outages and timeouts: tests/CompanyOs.Llm.Tests/Redis).
                environment[ScaleOutProject.RedisVariable] = _redis.Configuration + ",syncTimeout=5000,asyncTimeout=5000";
            }

            return environment;
        }
    }

    public static async Task<ScaleOutCluster> StartAsync(ClusterSettings settings, int instances = 2)
    {
        var ct = TestContext.Current.CancellationToken;
        var postgres = settings.Postgres ?? SharedServices.Postgres;
        var redis = settings.SharedRedis ? new TestRedisPrefix() : null;
        var schemas = await TestSchemas.CreateAsync(postgres, ct);
        var emulator = await EmulatorServer.StartAsync(settings.Emulator, ct);
        var cluster = new ScaleOutCluster(settings, emulator, schemas, redis);
        try
        {
            // One after the other: the first creates the stores' tables, and on 2 cores two cold starts at once only race.
            for (var i = 0; i < instances; i++)
            {
                await cluster.StartInstanceAsync();
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Starts one more instance (named A, B, C… in start order).</summary>
    public async Task<ServerInstance> StartInstanceAsync()
    {
        var instance = await ServerInstance.StartAsync(((char)('A' + _instances.Count)).ToString(), Project, Environment);
        _instances.Add(instance);
        return instance;
    }

    /// <summary>Creates an API key of <paramref name="org"/> with the server's own <c>keys create</c> (its process, on the shared store).</summary>
    public async Task<string> CreateKeyAsync(string org, params string[] options)
    {
        await using var keys = ChildProcess.Start(ServerInstance.Executable, Project.Root, Environment,
            ["keys", "create", "--org", org, "--scopes", "gateway,agents", .. options,
             "--keys-store", "postgres", "--keys-connection-env", ScaleOutProject.KeysVariable]);
        var exit = await keys.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"keys create exited {exit}: {keys.Out}{keys.Err}");
        return Key().Match(keys.Out) is { Success: true } match ? match.Value : throw new InvalidOperationException("no key printed: " + keys.Out);
    }

    /// <summary>Every instance's output, for failure messages.</summary>
    public string Output => string.Join('\n', _instances.Select(i => i.Output));

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await Emulator.DisposeAsync();
        await Schemas.DisposeAsync();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        try
        {
            Directory.Delete(Project.Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a process that is ending: the temp directory is cleaned with the machine.
        }
    }

    [GeneratedRegex(@"cos_[A-Za-z0-9_-]+")]
    private static partial Regex Key();
}
