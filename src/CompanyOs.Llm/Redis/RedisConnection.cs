using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace CompanyOs.Llm.Redis;

/// <summary>
/// The Redis that several server instances share (rate-limit windows, budget spend, the response cache's L2), with the
/// key prefix every key starts with and the number of instances that share it. It tracks whether Redis answers: the first
/// failure after success logs one loud warning (limits fall back to limit ÷ <see cref="Instances"/> per instance; spend that
/// cannot be reserved is refused), the first success after failure logs the recovery — once per transition, never per call.
/// </summary>
/// <remarks>
/// Commands fail at once while the connection is down (no backlog), and time out after <see cref="DefaultCommandTimeout"/>
/// unless the configuration string sets <c>syncTimeout</c>/<c>asyncTimeout</c>: a dead Redis must not stall calls for seconds.
/// The multiplexer reconnects in the background.
/// </remarks>
public sealed partial class RedisConnection : IDisposable
{
    /// <summary>Connect timeout used unless the configuration string sets <c>connectTimeout</c>.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Command timeout used unless the configuration string sets <c>syncTimeout</c> / <c>asyncTimeout</c>.</summary>
    public static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromMilliseconds(500);

    private readonly ILogger _logger;
    private readonly bool _ownsMultiplexer;
    private int _down;

    /// <param name="multiplexer">The connection (owned by the caller).</param>
    /// <param name="keyPrefix">Every key starts with it (e.g. <c>companyos:</c>).</param>
    /// <param name="instances">Server instances sharing the limits (the divisor when Redis does not answer).</param>
    /// <param name="logger">Where the down/recovered transitions are logged.</param>
    public RedisConnection(IConnectionMultiplexer multiplexer, string keyPrefix, int instances = 1, ILogger? logger = null)
        : this(multiplexer, keyPrefix, instances, logger, ownsMultiplexer: false)
    {
    }

    private RedisConnection(IConnectionMultiplexer multiplexer, string keyPrefix, int instances, ILogger? logger, bool ownsMultiplexer)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(instances, 1);
        Multiplexer = multiplexer;
        KeyPrefix = keyPrefix;
        Instances = instances;
        _logger = logger ?? NullLogger.Instance;
        _ownsMultiplexer = ownsMultiplexer;
        _down = multiplexer.IsConnected ? 0 : 1;
        if (_down == 1)
        {
            LogUnavailable(_logger, Instances, "not connected at start");
        }
    }

    /// <summary>
    /// Connects (without failing when Redis is down: it keeps trying in the background) with short timeouts unless
    /// <paramref name="configuration"/> sets its own.
    /// </summary>
    /// <param name="configuration">A StackExchange.Redis configuration string (<c>host:port[,option=value…]</c>); may hold a password, so it is never logged.</param>
    /// <param name="keyPrefix">Every key starts with it.</param>
    /// <param name="instances">Server instances sharing the limits.</param>
    /// <param name="logger">Where the down/recovered transitions are logged.</param>
    /// <exception cref="ArgumentException">The configuration string cannot be parsed (the message never repeats it).</exception>
    public static RedisConnection Connect(string configuration, string keyPrefix, int instances = 1, ILogger? logger = null)
    {
        var options = ParseOptions(configuration);
        var multiplexer = ConnectionMultiplexer.Connect(options);
        return new RedisConnection(multiplexer, keyPrefix, instances, logger, ownsMultiplexer: true);
    }

    /// <summary>The configuration string with this class's defaults applied: short timeouts, no backlog, keep trying to connect.</summary>
    /// <exception cref="ArgumentException">The string cannot be parsed or names no endpoint (the message never repeats it).</exception>
    public static ConfigurationOptions ParseOptions(string configuration)
    {
        var options = TryParse(configuration, out var problem) ?? throw new ArgumentException(problem, nameof(configuration));
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new ExponentialRetry(250, 5000);
        if (!Sets(configuration, "connectTimeout"))
        {
            options.ConnectTimeout = (int)DefaultConnectTimeout.TotalMilliseconds;
        }

        if (!Sets(configuration, "syncTimeout"))
        {
            options.SyncTimeout = (int)DefaultCommandTimeout.TotalMilliseconds;
        }

        if (!Sets(configuration, "asyncTimeout"))
        {
            options.AsyncTimeout = (int)DefaultCommandTimeout.TotalMilliseconds;
        }

        return options;
    }

    /// <summary>What is wrong with <paramref name="configuration"/> (never repeating it: it may hold a password); null when StackExchange.Redis can use it.</summary>
    public static string? Validate(string configuration)
    {
        _ = TryParse(configuration, out var problem);
        return problem;
    }

    private static ConfigurationOptions? TryParse(string configuration, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        problem = null;
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(configuration);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            problem = "must be a StackExchange.Redis configuration string ('host:port[,option=value…]'); options given: " + OptionNames(configuration) +
                " (the value is not shown: it may hold a password)";
            return null;
        }

        if (options.EndPoints.Count == 0)
        {
            problem = "must name a Redis endpoint ('host:port[,option=value…]')";
            return null;
        }

        return options;
    }

    /// <summary>The connection.</summary>
    public IConnectionMultiplexer Multiplexer { get; }

    /// <summary>Every key starts with it.</summary>
    public string KeyPrefix { get; }

    /// <summary>Server instances sharing the limits: each enforces limit ÷ this while Redis does not answer.</summary>
    public int Instances { get; }

    /// <summary>False from a failed command (or a lost connection) until the next command succeeds.</summary>
    public bool IsAvailable => Volatile.Read(ref _down) == 0 && Multiplexer.IsConnected;

    /// <summary>True when a command may be tried now (the connection is up); false: use the fallback at once.</summary>
    internal bool CanTry()
    {
        if (Multiplexer.IsConnected)
        {
            return true;
        }

        MarkDown("the connection is down");
        return false;
    }

    internal IDatabase Database => Multiplexer.GetDatabase();

    /// <summary>Records a failed command; logs once when Redis was available until now.</summary>
    /// <remarks>Only the kind of failure is logged: StackExchange.Redis messages carry connection details.</remarks>
    internal void MarkDown(Exception failure) => MarkDown(failure switch
    {
        RedisConnectionException connection => "connection failure: " + connection.FailureType,
        RedisTimeoutException or TimeoutException => "a command timed out",
        RedisServerException => "the server refused a command",
        _ => failure.GetType().Name,
    });

    internal void MarkDown(string reason)
    {
        if (Interlocked.Exchange(ref _down, 1) == 0)
        {
            LogUnavailable(_logger, Instances, reason);
        }
    }

    /// <summary>Records a successful command; logs once when Redis was unavailable until now.</summary>
    internal void MarkUp()
    {
        if (Volatile.Read(ref _down) == 1 && Interlocked.Exchange(ref _down, 0) == 1)
        {
            LogRecovered(_logger);
        }
    }

    /// <summary>True for the failures that mean "Redis does not answer" (not a bug in a script).</summary>
    public static bool IsUnavailable(Exception e) => e is RedisConnectionException or RedisTimeoutException or TimeoutException
        || (e is RedisServerException server && (server.Message.StartsWith("LOADING", StringComparison.Ordinal) || server.Message.StartsWith("BUSY", StringComparison.Ordinal)
            || server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal) || server.Message.StartsWith("READONLY", StringComparison.Ordinal)));

    public void Dispose()
    {
        if (_ownsMultiplexer)
        {
            Multiplexer.Dispose();
        }
    }

    private static bool Sets(string configuration, string option) =>
        configuration.Split(',').Any(part => part.TrimStart().StartsWith(option + "=", StringComparison.OrdinalIgnoreCase));

    private static string OptionNames(string configuration)
    {
        var names = configuration.Split(',').Select(p => p.Trim()).Where(p => p.Contains('=', StringComparison.Ordinal))
            .Select(p => p[..p.IndexOf('=', StringComparison.Ordinal)].Trim()).ToArray();
        return names.Length == 0 ? "none" : string.Join(", ", names);
    }

    [LoggerMessage(EventId = 4600, Level = LogLevel.Warning,
        Message = "Redis is UNAVAILABLE ({Reason}): rate limits are now enforced per instance at limit ÷ {Instances}, and calls with a budget are refused (503) until Redis answers again.")]
    private static partial void LogUnavailable(ILogger logger, int instances, string reason);

    [LoggerMessage(EventId = 4601, Level = LogLevel.Warning, Message = "Redis is available again: rate limits and budgets are shared across instances again.")]
    private static partial void LogRecovered(ILogger logger);
}
