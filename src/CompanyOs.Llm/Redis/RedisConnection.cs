using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace CompanyOs.Llm.Redis;

/// <summary>
/// The Redis that several server instances share (rate-limit windows, budget spend, the response cache's L2), with the
/// key prefix every key starts with and the number of instances that share it. It tells a failed command from an outage:
/// <list type="bullet">
/// <item>An <b>outage</b> is a connection that has been down continuously for at least <see cref="OutageAfter"/> (the
/// connect timeout; at start-up counted from the first connection attempt, which <see cref="Connect"/> waits for). Only
/// then do rate limits fall back to limit ÷ <see cref="Instances"/> per instance; one loud warning is logged when it starts
/// and one when a command succeeds again.</item>
/// <item>A command that fails or times out while the connection is up, or a connection down for less than
/// <see cref="OutageAfter"/>, is <b>not</b> an outage: the other instances may still be admitting through Redis, so a
/// local admission could exceed the shared limit. Callers refuse that request instead (fail closed); one warning is
/// logged per transition.</item>
/// </list>
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
    private readonly TimeProvider _time;
    private int _down;
    private int _outage;
    private long _disconnectedSince;

    /// <param name="multiplexer">The connection (owned by the caller).</param>
    /// <param name="keyPrefix">Every key starts with it (e.g. <c>companyos:</c>).</param>
    /// <param name="instances">Server instances sharing the limits (the divisor when Redis does not answer).</param>
    /// <param name="logger">Where the down/recovered transitions are logged.</param>
    /// <param name="outageAfter">How long the connection must be down before it is an outage; default <see cref="DefaultConnectTimeout"/>.</param>
    /// <param name="time">Clock for <paramref name="outageAfter"/>.</param>
    public RedisConnection(IConnectionMultiplexer multiplexer, string keyPrefix, int instances = 1, ILogger? logger = null,
        TimeSpan? outageAfter = null, TimeProvider? time = null)
        : this(multiplexer, keyPrefix, instances, logger, ownsMultiplexer: false, outageAfter ?? DefaultConnectTimeout, time ?? TimeProvider.System, null)
    {
    }

    private RedisConnection(IConnectionMultiplexer multiplexer, string keyPrefix, int instances, ILogger? logger, bool ownsMultiplexer,
        TimeSpan outageAfter, TimeProvider time, long? connectStartedAt)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(instances, 1);
        Multiplexer = multiplexer;
        KeyPrefix = keyPrefix;
        Instances = instances;
        _logger = logger ?? NullLogger.Instance;
        _ownsMultiplexer = ownsMultiplexer;
        ArgumentOutOfRangeException.ThrowIfLessThan(outageAfter, TimeSpan.Zero);
        OutageAfter = outageAfter;
        _time = time;
        if (!multiplexer.IsConnected)
        {
            // Never connected yet: the outage clock runs from the first attempt.
            _disconnectedSince = Math.Max(1, connectStartedAt ?? _time.GetTimestamp());
        }

        multiplexer.ConnectionFailed += OnConnectionFailed;
        multiplexer.ConnectionRestored += OnConnectionRestored;
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
        var started = TimeProvider.System.GetTimestamp();
        // Waits for the first connection attempt (at most connectTimeout); without AbortOnConnectFail it then returns
        // connected or not, and keeps trying in the background.
        var multiplexer = ConnectionMultiplexer.Connect(options);
        return new RedisConnection(multiplexer, keyPrefix, instances, logger, ownsMultiplexer: true,
            TimeSpan.FromMilliseconds(options.ConnectTimeout), TimeProvider.System, started);
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

    /// <summary>Server instances sharing the limits: each enforces limit ÷ this during an outage.</summary>
    public int Instances { get; }

    /// <summary>How long the connection must be down continuously before it is an outage (the connect timeout).</summary>
    public TimeSpan OutageAfter { get; }

    /// <summary>False from a failed command (or a lost connection) until the next command succeeds.</summary>
    public bool IsAvailable => Volatile.Read(ref _down) == 0 && Volatile.Read(ref _outage) == 0 && Multiplexer.IsConnected;

    /// <summary>
    /// True while Redis is in an outage: the connection has been down for at least <see cref="OutageAfter"/> (and no command
    /// has succeeded since). Only then may an instance enforce a limit alone (limit ÷ <see cref="Instances"/>).
    /// </summary>
    public bool IsOutage => State() == RedisState.Outage;

    /// <summary>True when a command may be tried now (the connection is up).</summary>
    internal bool CanTry() => State() == RedisState.Connected;

    /// <summary>
    /// Connected (try the command), Disconnected (down for less than <see cref="OutageAfter"/>: refuse, the others may still
    /// share the limit through Redis) or Outage (down for longer: fall back). Logs the start of an outage once.
    /// </summary>
    internal RedisState State()
    {
        if (Multiplexer.IsConnected)
        {
            Interlocked.Exchange(ref _disconnectedSince, 0);
            return RedisState.Connected;
        }

        var since = Volatile.Read(ref _disconnectedSince);
        if (since == 0)
        {
            var now = Math.Max(1, _time.GetTimestamp());
            since = Interlocked.CompareExchange(ref _disconnectedSince, now, 0) is var previous && previous == 0 ? now : previous;
        }

        if (Volatile.Read(ref _outage) == 1)
        {
            return RedisState.Outage;
        }

        if (_time.GetElapsedTime(since) < OutageAfter)
        {
            return RedisState.Disconnected;
        }

        if (Interlocked.Exchange(ref _outage, 1) == 0)
        {
            Volatile.Write(ref _down, 1);
            LogUnavailable(_logger, Instances, "the connection has been down for at least " + OutageAfter.TotalMilliseconds + " ms");
        }

        return RedisState.Outage;
    }

    internal IDatabase Database => Multiplexer.GetDatabase();

    /// <summary>
    /// Records a failed command (the caller refused its request: a failed command is not an outage, see <see cref="State"/>);
    /// logs once per transition.
    /// </summary>
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
        if (Interlocked.Exchange(ref _down, 1) == 0 && Volatile.Read(ref _outage) == 0)
        {
            LogCommandFailed(_logger, reason);
        }
    }

    /// <summary>Records a successful command; ends an outage (logged once).</summary>
    internal void MarkUp()
    {
        if (Volatile.Read(ref _down) == 1)
        {
            Interlocked.Exchange(ref _down, 0);
        }

        if (Volatile.Read(ref _outage) == 1 && Interlocked.Exchange(ref _outage, 0) == 1)
        {
            LogRecovered(_logger);
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        Interlocked.CompareExchange(ref _disconnectedSince, Math.Max(1, _time.GetTimestamp()), 0);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (Multiplexer.IsConnected)
        {
            Interlocked.Exchange(ref _disconnectedSince, 0);
        }
    }

    /// <summary>True for the failures that mean "Redis does not answer" (not a bug in a script).</summary>
    public static bool IsUnavailable(Exception e) => e is RedisConnectionException or RedisTimeoutException or TimeoutException
        || (e is RedisServerException server && (server.Message.StartsWith("LOADING", StringComparison.Ordinal) || server.Message.StartsWith("BUSY", StringComparison.Ordinal)
            || server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal) || server.Message.StartsWith("READONLY", StringComparison.Ordinal)));

    public void Dispose()
    {
        Multiplexer.ConnectionFailed -= OnConnectionFailed;
        Multiplexer.ConnectionRestored -= OnConnectionRestored;
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

    [LoggerMessage(EventId = 4602, Level = LogLevel.Warning,
        Message = "A Redis command failed ({Reason}) while the connection is up: calls that needed it are refused (rate limits stay shared; no local admission) until a command succeeds.")]
    private static partial void LogCommandFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 4601, Level = LogLevel.Warning, Message = "Redis is available again: rate limits and budgets are shared across instances again.")]
    private static partial void LogRecovered(ILogger logger);
}

/// <summary>What <see cref="RedisConnection.State"/> found.</summary>
internal enum RedisState
{
    /// <summary>The connection is up: try the command.</summary>
    Connected,

    /// <summary>Down for less than <see cref="RedisConnection.OutageAfter"/>: refuse (do not admit locally).</summary>
    Disconnected,

    /// <summary>Down for at least <see cref="RedisConnection.OutageAfter"/>: enforce limit ÷ instances locally.</summary>
    Outage,
}
