using System.Globalization;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway.Stats;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Cli.Hosting;

/// <summary>One retry, circuit change or fallback of the gateway, as it happens.</summary>
/// <param name="Type"><c>retry</c>, <c>circuit_opened</c>, <c>circuit_closed</c>, <c>fallback</c>, <c>fallback_exhausted</c> or <c>providers_failed</c> (the call failed: each provider tried).</param>
/// <param name="Provider">The provider that failed (or whose circuit changed).</param>
/// <param name="Message">The gateway's own sentence, e.g. <c>Provider anthropic: retry 1 in 00:00:01 after unavailable.</c></param>
/// <param name="Fields">The values of that sentence by name (<c>Attempt</c>, <c>Delay</c>, <c>Error</c>, <c>To</c>, <c>ToModel</c>, …).</param>
internal sealed record GatewayEvent(string Type, string Provider, string Message, IReadOnlyDictionary<string, object?> Fields)
{
    public string? Field(string name) => Fields.TryGetValue(name, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

    /// <summary>The short form for a terminal's status line, e.g. <c>anthropic: unavailable, retry 1 in 0.6s</c>.</summary>
    public string StatusNote() => Type switch
    {
        "retry" => $"{Provider}: {Field("Error")}, retry {Field("Attempt")} in {Seconds(Field("Delay"))}",
        "fallback" => $"{Provider} failed ({Field("Error")}): falling back to {Field("To")}/{Field("ToModel")}",
        "fallback_exhausted" => $"{Provider} failed ({Field("Error")}); no provider left to fall back to",
        "providers_failed" => Message,
        "circuit_opened" => $"{Provider}: circuit open for {Seconds(Field("BreakDuration"))}",
        _ => $"{Provider}: circuit closed",
    };

    private static string Seconds(string? span) =>
        TimeSpan.TryParse(span, CultureInfo.InvariantCulture, out var value) ? $"{value.TotalSeconds:0.#}s" : span ?? "?";
}

/// <summary>How one provider failed a model call: its model, the error class and how many retries it had.</summary>
internal sealed record ProviderFailure(string Provider, string? Model, string Error, int Retries)
{
    public override string ToString() =>
        $"{Provider}{(Model is null ? string.Empty : "/" + Model)}: {Error}{(Retries > 0 ? $" (after {Retries} retr{(Retries == 1 ? "y" : "ies")})" : string.Empty)}";
}

/// <summary>
/// Makes the gateway's retries, breaker trips and fallbacks visible as they happen: the gateway logs them (event ids
/// 4300–4302, 4400–4401); this logger provider turns just those into <see cref="GatewayEvent"/>s for <see cref="Sink"/>
/// (by default one line each on stderr: <c>retry: …</c>, <c>fallback: …</c>; a terminal's status line or <c>--json</c>
/// records instead), and keeps, per model call, which providers failed — so that when the whole chain fails each
/// provider's failure can be reported, not only the last one.
/// </summary>
internal sealed class GatewayActivity : ILoggerProvider
{
    private readonly Lock _gate = new();
    private readonly List<ProviderFailure> _failures = [];
    private readonly Dictionary<string, int> _retries = new(StringComparer.Ordinal);
    private string? _model;

    public GatewayActivity(TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Sink = e => WriteLine(error, e);
    }

    /// <summary>Where events go; set before the first model call.</summary>
    public Action<GatewayEvent> Sink { get; set; }

    /// <summary>Every provider that failed the last model call, in the order tried, when the whole fallback chain failed; else null.</summary>
    public IReadOnlyList<ProviderFailure>? Exhausted { get; private set; }

    /// <summary>Told when a model call starts (with <c>provider/model</c> when known) — a terminal's status line.</summary>
    public Action<string?>? Started { get; set; }

    /// <summary>Told when a model call has ended (answered or failed).</summary>
    public Action? Ended { get; set; }

    /// <summary>A model call starts (on <paramref name="model"/>, when known): forget the previous call's failures.</summary>
    public void CallStarting(string? model)
    {
        lock (_gate)
        {
            _failures.Clear();
            _retries.Clear();
            _model = model is { } m && m.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? m[(slash + 1)..] : model;
            Exhausted = null;
        }

        Started?.Invoke(model);
    }

    /// <summary>The model call has ended.</summary>
    public void CallEnded() => Ended?.Invoke();

    /// <summary>
    /// The model call failed with <paramref name="exception"/>: when a provider failed it (after its retries, and after the
    /// providers it fell back from), every provider tried is recorded in <see cref="Exhausted"/> and reported as one
    /// <c>providers_failed</c> event.
    /// </summary>
    public void CallFailed(Exception exception)
    {
        if (exception is not ProviderException failed)
        {
            return;
        }

        GatewayEvent e;
        lock (_gate)
        {
            if (_failures.Count == 0 || _failures[^1].Provider != failed.Provider)
            {
                _failures.Add(new ProviderFailure(failed.Provider, _model, ErrorClass.Of(failed.Kind), _retries.GetValueOrDefault(failed.Provider)));
            }

            Exhausted = [.. _failures];
            var fields = new Dictionary<string, object?>(StringComparer.Ordinal) { ["Failures"] = Exhausted };
            e = new GatewayEvent("providers_failed", failed.Provider, Describe(Exhausted), fields);
        }

        Sink(e);
    }

    /// <summary>One line naming each provider's failure, e.g. <c>every provider failed: anthropic/…: unavailable (after 3 retries); openai/gpt-4o: server_error</c> (<c>the provider failed: …</c> when there was no fallback).</summary>
    public static string Describe(IReadOnlyList<ProviderFailure> failures) =>
        $"{(failures.Count == 1 ? "the provider failed" : "every provider failed")}: {string.Join("; ", failures)}";

    /// <summary>A logger factory for the gateway that reports through this (the caller disposes it).</summary>
    public ILoggerFactory CreateLoggerFactory() => new LoggerFactory([this], new LoggerFilterOptions { MinLevel = LogLevel.Information });

    public ILogger CreateLogger(string categoryName) => new Reporter(this);

    public void Dispose()
    {
    }

    private static void WriteLine(TextWriter error, GatewayEvent e)
    {
        var label = e.Type switch
        {
            "retry" => "retry",
            "fallback" or "fallback_exhausted" => "fallback",
            "providers_failed" => "failed",
            _ => "circuit",
        };
        error.WriteLine($"{label}: {e.Message}");
        error.Flush();
    }

    private static string? TypeOf(EventId id) => id.Id switch
    {
        4300 => "retry",
        4301 => "circuit_opened",
        4302 => "circuit_closed",
        4400 => "fallback",
        4401 => "fallback_exhausted",
        _ => null,
    };

    private void Report(string type, string message, IReadOnlyDictionary<string, object?> fields)
    {
        GatewayEvent e;
        lock (_gate)
        {
            var provider = Text(fields, "Provider") ?? Text(fields, "From") ?? "?";
            var retries = _retries.GetValueOrDefault(provider);
            switch (type)
            {
                case "retry":
                    _retries[provider] = retries + 1;
                    break;
                case "fallback":
                    _failures.Add(new ProviderFailure(provider, Text(fields, "FromModel"), Text(fields, "Error") ?? "?", retries));
                    _model = Text(fields, "ToModel");
                    break;
                case "fallback_exhausted":
                    _failures.Add(new ProviderFailure(provider, _model, Text(fields, "Error") ?? "?", retries));
                    Exhausted = [.. _failures];
                    break;
            }

            e = new GatewayEvent(type, provider, message, fields);
        }

        Sink(e);
    }

    private static string? Text(IReadOnlyDictionary<string, object?> fields, string name) =>
        fields.TryGetValue(name, out var value) && value is not null ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

    private sealed class Reporter(GatewayActivity owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (TypeOf(eventId) is { } type)
            {
                var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs
                    ? pairs.Where(p => p.Key != "{OriginalFormat}").ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)
                    : [];
                owner.Report(type, formatter(state, exception), fields);
            }
        }
    }
}
