using Microsoft.Extensions.Logging;

namespace CompanyOs.Cli.Hosting;

/// <summary>
/// Makes the gateway's retries, breaker trips and fallbacks visible as they happen: the gateway logs them (event ids
/// 4300–4302, 4400–4401); this logger provider writes just those, one line each on stderr (<c>retry: …</c>,
/// <c>fallback: …</c>), so that seconds of silence followed by another provider's answer are explained.
/// </summary>
internal sealed class GatewayProgress(TextWriter error) : ILoggerProvider
{
    private readonly Lock _gate = new();

    /// <summary>A logger factory for the gateway that reports through <paramref name="error"/>.</summary>
    public static ILoggerFactory Factory(TextWriter error) =>
        LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Information).AddProvider(new GatewayProgress(error)));

    public ILogger CreateLogger(string categoryName) => new Reporter(this);

    public void Dispose()
    {
    }

    private static string? Label(EventId id) => id.Id switch
    {
        4300 => "retry",
        4301 or 4302 => "circuit",
        4400 or 4401 => "fallback",
        _ => null,
    };

    private void Write(string line)
    {
        lock (_gate)
        {
            error.WriteLine(line);
            error.Flush();
        }
    }

    private sealed class Reporter(GatewayProgress owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (Label(eventId) is { } label)
            {
                owner.Write($"{label}: {formatter(state, exception)}");
            }
        }
    }
}
