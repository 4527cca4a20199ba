using CompanyOs.Llm.Redis;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Llm.Tests.Redis;

/// <summary>
/// The throw-away Redis of <c>COMPANYOS_TEST_REDIS</c> (scripts/test.sh starts it; a missing variable fails the test — CI
/// must really run these), a fresh key prefix per test, and addresses where no Redis listens.
/// </summary>
internal static class TestRedis
{
    public const string Variable = "COMPANYOS_TEST_REDIS";

    /// <summary>
    /// The shared test Redis with 5 s command timeouts: the product's 500 ms default timed out a first EVAL on a loaded CI
    /// machine. Tests of timeouts append their own (the last setting in the string wins) or use a <see cref="PrivateRedis"/>.
    /// </summary>
    public static string Configuration => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
        ? value + ",syncTimeout=5000,asyncTimeout=5000"
        : throw new InvalidOperationException(
            $"{Variable} is not set. Run ./scripts/test.sh (it starts a throw-away Redis), or in your shell: source scripts/redis.sh && start_test_redis");

    public static string NewPrefix() => "test:" + Guid.NewGuid().ToString("N")[..12] + ":";

    /// <summary>A new connection (a new multiplexer: one per simulated instance).</summary>
    public static RedisConnection Connect(string prefix, int instances = 1, ILogger? logger = null, string? configuration = null) =>
        RedisConnection.Connect(configuration ?? Configuration, prefix, instances, logger);

    /// <summary>A loopback address where nothing listens (a port just freed).</summary>
    public static string ClosedPort() => "127.0.0.1:" + FreePort();

    public static int FreePort() => PrivateRedis.FreePort();
}
