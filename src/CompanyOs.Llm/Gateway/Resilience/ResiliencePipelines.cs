using System.Collections.Frozen;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace CompanyOs.Llm.Gateway.Resilience;

/// <summary>
/// One Polly pipeline per provider: retry (exponential backoff with jitter, honouring <c>Retry-After</c> up to a cap, only
/// retriable <see cref="ProviderException"/>s) → circuit breaker. The total deadline around it is the resilience stage's
/// (<see cref="ResilienceChatClient"/>: the cancellation token the pipeline runs with); the per-attempt timeout is applied by
/// the provider stage, after the rate-limit wait, so that waiting for a permit never counts as a slow attempt.
/// </summary>
internal sealed partial class ResiliencePipelines
{
    internal static readonly ResiliencePropertyKey<GatewayCall> CallKey = new("companyos.gateway_call");
    private readonly FrozenDictionary<string, (ResiliencePipeline Pipeline, CircuitBreakerStateProvider? Breaker)> _pipelines;

    private readonly TimeSpan _maxRetryAfter;

    public ResiliencePipelines(LlmOptions options, TimeProvider time, ILogger logger, CircuitStates? circuits = null)
    {
        _maxRetryAfter = options.Retry.MaxRetryAfter;
        _pipelines = options.Providers.Values
            .Where(p => p.Enabled)
            .ToFrozenDictionary(p => p.Name, p => Build(p, options, time, logger, circuits), StringComparer.Ordinal);
    }

    public ResiliencePipeline For(ProviderOptions provider) => For(provider, out _);

    /// <summary>
    /// The provider's pipeline, and whether its circuit is closed right now (true too when it has no breaker): then a call may
    /// send its first attempt before it enters the pipeline (see <see cref="ResilienceChatClient"/>), since the breaker would
    /// let it through. Polly's own state, read under its lock; an open or half-open circuit (a probe) says false.
    /// </summary>
    public ResiliencePipeline For(ProviderOptions provider, out bool closed)
    {
        if (!_pipelines.TryGetValue(provider.Name, out var entry))
        {
            closed = true;
            return ResiliencePipeline.Empty;
        }

        closed = entry.Breaker is not { } breaker || breaker.CircuitState == CircuitState.Closed;
        return entry.Pipeline;
    }

    private static (ResiliencePipeline, CircuitBreakerStateProvider?) Build(ProviderOptions provider, LlmOptions options, TimeProvider time, ILogger logger, CircuitStates? circuits)
    {
        CircuitBreakerStateProvider? stateProvider = null;
        var retry = options.Retry;
        var builder = new ResiliencePipelineBuilder { Name = $"llm-{provider.Name}", TimeProvider = time };
        if (provider.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                Name = "retry",
                MaxRetryAttempts = provider.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = retry.BaseDelay,
                MaxDelay = retry.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome.Exception, retry.MaxRetryAfter)),
                DelayGenerator = static args => ValueTask.FromResult(
                    args.Outcome.Exception is ProviderException { RetryAfter: { } wait } ? (TimeSpan?)wait : null),
                OnRetry = args =>
                {
                    var call = args.Context.Properties.GetValue(CallKey, null!);
                    call.Retries++;
                    var error = ErrorOf(args.Outcome.Exception);
                    LogRetry(logger, provider.Name, args.AttemptNumber + 1, args.RetryDelay, error);
                    return ValueTask.CompletedTask;
                },
            });
        }

        if (options.CircuitBreaker.Enabled)
        {
            var breaker = options.CircuitBreaker;
            var state = circuits?.Register(provider.Name);
            stateProvider = new CircuitBreakerStateProvider();
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                StateProvider = stateProvider,
                Name = "circuit-breaker",
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.MinimumThroughput,
                SamplingDuration = breaker.SamplingDuration,
                BreakDuration = breaker.BreakDuration,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is ProviderException { IsRetriable: true }),
                OnOpened = args =>
                {
                    state?.Opened(args.BreakDuration);
                    LogOpened(logger, provider.Name, args.BreakDuration);
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    state?.HalfOpened();
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    state?.Closed();
                    LogClosed(logger, provider.Name);
                    return ValueTask.CompletedTask;
                },
            });
        }

        return (builder.Build(), stateProvider);
    }

    /// <summary>Whether the retry strategy would retry after <paramref name="exception"/> (its <c>ShouldHandle</c>).</summary>
    public bool WouldRetry(ProviderOptions provider, Exception? exception) =>
        provider.MaxRetries > 0 && ShouldRetry(exception, _maxRetryAfter);

    private static bool ShouldRetry(Exception? exception, TimeSpan maxRetryAfter) =>
        exception is ProviderException { IsRetriable: true } provider
        && provider.Kind != ProviderErrorKind.CircuitOpen
        && (provider.RetryAfter is not { } wait || wait <= maxRetryAfter);

    private static string ErrorOf(Exception? exception) => exception is ProviderException p ? Stats.ErrorClass.Of(p.Kind) : exception?.GetType().Name ?? "none";

    [LoggerMessage(EventId = 4300, Level = LogLevel.Information, Message = "Provider {Provider}: retry {Attempt} in {Delay} after {Error}.")]
    private static partial void LogRetry(ILogger logger, string provider, int attempt, TimeSpan delay, string error);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "Provider {Provider}: circuit opened for {BreakDuration} after sustained failures.")]
    private static partial void LogOpened(ILogger logger, string provider, TimeSpan breakDuration);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Information, Message = "Provider {Provider}: circuit closed again.")]
    private static partial void LogClosed(ILogger logger, string provider);
}
