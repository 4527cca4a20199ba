using CompanyOs.Configuration;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// <c>config/server.yaml</c>: the server's settings in a file, read with the same checks and error quality as
/// <c>llm.yaml</c> (file, key, line; unknown keys with a suggestion). Settings given on the command line or in the
/// <c>CompanyOs:Server</c> configuration section override the file.
/// </summary>
internal static class ServerConfigFile
{
    public const string DefaultPath = "config/server.yaml";

    private static readonly string[] Keys =
        ["urls", "max_request_body_bytes", "shutdown_drain_seconds", "default_org", "keys_database", "keys_store", "keys_connection_string_env", "key_cache_seconds", "emulator",
         "runs_database", "runs_postgres", "runs_postgres_schema", "agents_directory", "tools_config", "prompts_directory", "max_concurrent_runs", "run_lease_seconds",
         "request_headers_timeout_seconds", "keep_alive_timeout_seconds", "min_request_body_bytes_per_second",
         "min_request_body_grace_seconds", "max_request_header_bytes", "inline_streams", "redis", "redis_key_prefix", "instances"];

    /// <exception cref="ConfigurationException">The file is unreadable or holds an invalid setting.</exception>
    public static ServerOptions Load(string path)
    {
        string text;
        try
        {
            text = ConfigFile.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(path, string.Empty, $"cannot read the file: {e.Message}", e);
        }

        var options = new ServerOptions();
        var root = ConfigDocument.Parse(text, new ConfigReadContext(path));
        if (root.IsNull)
        {
            return options;
        }

        if (!root.IsMapping)
        {
            throw root.Error("must be a mapping of server settings (" + string.Join(", ", Keys) + ")");
        }

        root.ExpectOnlyKeys(Keys);
        options.Urls = root.Child("urls").AsString();
        options.MaxRequestBodyBytes = root.Child("max_request_body_bytes").AsInt(1, int.MaxValue) ?? options.MaxRequestBodyBytes;
        options.ShutdownDrainSeconds = root.Child("shutdown_drain_seconds").AsInt(1, 3600) ?? options.ShutdownDrainSeconds;
        var org = root.Child("default_org");
        options.DefaultOrg = org.AsString() is { } name ? (string.IsNullOrWhiteSpace(name) ? throw org.Error("must not be empty") : name) : options.DefaultOrg;
        options.KeysDatabase = root.Child("keys_database").AsString();
        var store = root.Child("keys_store");
        options.KeysStore = store.AsString() switch
        {
            null => ServerOptions.SqliteStore,
            var known when known is ServerOptions.SqliteStore or ServerOptions.PostgresStore => known,
            var other => throw store.Error($"must be '{ServerOptions.SqliteStore}' or '{ServerOptions.PostgresStore}', got '{other}'"),
        };
        var variable = root.Child("keys_connection_string_env");
        options.KeysConnectionStringEnv = variable.AsString() is { } variableName
            ? (string.IsNullOrWhiteSpace(variableName) ? throw variable.Error("must name an environment variable") : variableName)
            : null;
        options.KeyCacheSeconds = root.Child("key_cache_seconds").AsInt(0, 3600) ?? options.KeyCacheSeconds;
        options.RequestHeadersTimeoutSeconds = root.Child("request_headers_timeout_seconds").AsInt(1, 3600) ?? options.RequestHeadersTimeoutSeconds;
        options.KeepAliveTimeoutSeconds = root.Child("keep_alive_timeout_seconds").AsInt(1, 86400) ?? options.KeepAliveTimeoutSeconds;
        options.MinRequestBodyBytesPerSecond = root.Child("min_request_body_bytes_per_second").AsInt(0, int.MaxValue) ?? options.MinRequestBodyBytesPerSecond;
        // Kestrel checks rates once a second: a grace period under two heartbeats would cut healthy bodies.
        options.MinRequestBodyGraceSeconds = root.Child("min_request_body_grace_seconds").AsInt(2, 3600) ?? options.MinRequestBodyGraceSeconds;
        options.MaxRequestHeaderBytes = root.Child("max_request_header_bytes").AsInt(1024, 16 * 1024 * 1024) ?? options.MaxRequestHeaderBytes;
        options.InlineStreams = root.Child("inline_streams").AsInt(0, 100_000) ?? options.InlineStreams;
        options.Emulator = root.Child("emulator").AsBool() ?? false;
        options.RunsDatabase = root.Child("runs_database").AsString() ?? options.RunsDatabase;
        options.RunsPostgres = root.Child("runs_postgres").AsString();
        options.RunsPostgresSchema = root.Child("runs_postgres_schema").AsString() ?? options.RunsPostgresSchema;
        options.AgentsDirectory = root.Child("agents_directory").AsString();
        options.ToolsConfig = root.Child("tools_config").AsString();
        options.PromptsDirectory = root.Child("prompts_directory").AsString();
        options.MaxConcurrentRuns = root.Child("max_concurrent_runs").AsInt(1, 1000) ?? options.MaxConcurrentRuns;
        options.RunLeaseSeconds = root.Child("run_lease_seconds").AsInt(1, 3600) ?? options.RunLeaseSeconds;
        var redis = root.Child("redis");
        options.Redis = redis.AsString() is { } configuration ? RedisSettings.Check(configuration, redis.Error) : null;
        var prefix = root.Child("redis_key_prefix");
        options.RedisKeyPrefix = prefix.AsString() is { } keyPrefix ? RedisSettings.CheckPrefix(keyPrefix, prefix.Error) : options.RedisKeyPrefix;
        options.Instances = root.Child("instances").AsInt(1, RedisSettings.MaxInstances) ?? options.Instances;
        return options;
    }
}
