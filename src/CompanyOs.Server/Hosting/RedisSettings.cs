using CompanyOs.Llm.Redis;

namespace CompanyOs.Server.Hosting;

/// <summary>Checks of the <c>redis</c>, <c>redis_key_prefix</c> and <c>instances</c> settings, shared by server.yaml and the configuration section.</summary>
internal static class RedisSettings
{
    public const int MaxInstances = 1000;

    /// <summary>The configuration string when StackExchange.Redis can use it; else the error (which never repeats the value: it may hold a password).</summary>
    public static string Check(string configuration, Func<string, Exception> error) =>
        RedisConnection.Validate(configuration) is { } problem ? throw error(problem) : configuration;

    public static string CheckPrefix(string prefix, Func<string, Exception> error) =>
        string.IsNullOrWhiteSpace(prefix) || prefix.Any(char.IsWhiteSpace) || prefix.Length > 100
            ? throw error("must be 1 to 100 characters without spaces (e.g. 'companyos:')")
            : prefix;
}
