using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Llm.Gateway.RateLimiting;

/// <summary>
/// Holds every upstream attempt to its provider's RPM and TPM. The TPM cost is estimated before the attempt (prompt estimate
/// plus the output cap) and corrected with the provider's usage afterwards. Runs inside retry and fallback, so retries and
/// fallback attempts are counted against the provider they actually hit.
/// </summary>
internal sealed partial class RateLimitChatClient(IChatClient innerClient, GatewayServices services, ILogger logger) : DelegatingChatClient(innerClient)
{
    private readonly RateLimitPolicyOptions _policy = services.Options.RateLimits;

    // The provider-call stage right below corrects and releases this stage's permits when it waits for the answer itself (see Start).
    private readonly bool _handsOver = innerClient is ProviderCallChatClient;

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);

        // No limit on this provider: the inner task is handed straight back, without an async state of this stage's own.
        return services.RateLimiters.For(call.Provider) is { } limiter
            ? GetLimitedAsync(limiter, call, messages, options, cancellationToken)
            : base.GetResponseAsync(messages, options, cancellationToken);
    }

    /// <summary>
    /// Acquire, call, correct. When the permit is granted at once and the inner answer is already there, this runs without an
    /// async state of its own and hands back the inner task.
    /// </summary>
    private Task<ChatResponse> GetLimitedAsync(
        WindowRateLimiter limiter, GatewayCall call, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var acquiring = AcquireAsync(limiter, call, messages, options, cancellationToken);
        if (!acquiring.IsCompletedSuccessfully)
        {
            return GetAfterWaitAsync(acquiring, limiter, call, messages, options, cancellationToken);
        }

        var lease = acquiring.Result;
        var inner = Start(limiter, lease, call, messages, options, cancellationToken, out var handedOver);
        if (handedOver)
        {
            return inner;
        }

        if (!inner.IsCompleted)
        {
            return CorrectWhenDoneAsync(inner, lease, limiter, call);
        }

        using (lease)
        {
            if (inner.IsCompletedSuccessfully)
            {
                Correct(limiter, lease, call);
            }
        }

        return inner;
    }

    private async Task<ChatResponse> GetAfterWaitAsync(
        ValueTask<RateLimitLease> acquiring, WindowRateLimiter limiter, GatewayCall call, IEnumerable<ChatMessage> messages, ChatOptions? options,
        CancellationToken cancellationToken)
    {
        var lease = await acquiring.ConfigureAwait(false);
        var inner = Start(limiter, lease, call, messages, options, cancellationToken, out var handedOver);
        return await (handedOver ? inner : CorrectWhenDoneAsync(inner, lease, limiter, call)).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the attempt. When the provider-call stage is the inner client, the permit is offered to it on the call: it takes
    /// it when it waits for the provider's answer in an async state of its own, and corrects and releases it there (then
    /// <paramref name="handedOver"/> is true and this stage has nothing left to do); otherwise this stage does.
    /// </summary>
    private Task<ChatResponse> Start(
        WindowRateLimiter limiter, RateLimitLease lease, GatewayCall call, IEnumerable<ChatMessage> messages, ChatOptions? options,
        CancellationToken cancellationToken, out bool handedOver)
    {
        if (!_handsOver)
        {
            handedOver = false;
            return InnerCall.Start(InnerClient, messages, options, cancellationToken);
        }

        call.OfferLease(limiter, lease);
        var inner = InnerCall.Start(InnerClient, messages, options, cancellationToken);
        handedOver = !call.WithdrawLease();
        return inner;
    }

    private static async Task<ChatResponse> CorrectWhenDoneAsync(Task<ChatResponse> inner, RateLimitLease lease, WindowRateLimiter limiter, GatewayCall call)
    {
        using (lease)
        {
            var response = await inner.ConfigureAwait(false);
            Correct(limiter, lease, call);
            return response;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        var limiter = services.RateLimiters.For(call.Provider);
        using var lease = limiter is null ? null : await AcquireAsync(limiter, call, messages, options, cancellationToken).ConfigureAwait(false);
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }

        if (limiter is not null)
        {
            Correct(limiter, lease!, call);
        }
    }

    /// <summary>
    /// A permit for the call's estimate: granted at once without an async state of its own when the limiter answers
    /// synchronously and admits it (the common case); else <see cref="WaitForPermitAsync"/>. Failures come back as a faulted
    /// task, never thrown.
    /// </summary>
    private ValueTask<RateLimitLease> AcquireAsync(
        WindowRateLimiter limiter, GatewayCall call, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        int permits;
        ValueTask<RateLimitLease> attempt;
        try
        {
            var provider = call.Provider.Name;
            long estimate = call.PromptTokenEstimate(messages, options, services.TokenCounter) + (options?.MaxOutputTokens ?? _policy.DefaultMaxOutputTokens);
            permits = (int)Math.Min(estimate, int.MaxValue);
            if (permits > limiter.Options.TokenLimit)
            {
                throw new RateLimitedException(provider, string.Create(CultureInfo.InvariantCulture,
                    $"The request may use {permits} tokens (prompt estimate + max output), more than provider '{provider}' allows per minute ({limiter.Options.TokenLimit}). Lower the output token limit (max_tokens on the wire, max_output_tokens of an agent) or shorten the prompt."));
            }

            attempt = limiter.AttemptAcquireAsync(permits, cancellationToken);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<RateLimitLease>(ex);
        }

        if (!attempt.IsCompletedSuccessfully)
        {
            return WaitForPermitAsync(attempt, permits, limiter, call, cancellationToken);
        }

        // A ValueTask's result is read once: the refused lease itself goes on to the wait.
        var lease = attempt.Result;
        return lease.IsAcquired ? new ValueTask<RateLimitLease>(lease) : WaitForPermitAsync(new ValueTask<RateLimitLease>(lease), permits, limiter, call, cancellationToken);
    }

    /// <summary>The limiter's answer was not an immediate grant: fail fast, or queue for a permit up to <c>max_wait</c>.</summary>
    private async ValueTask<RateLimitLease> WaitForPermitAsync(
        ValueTask<RateLimitLease> attempt, int permits, WindowRateLimiter limiter, GatewayCall call, CancellationToken cancellationToken)
    {
        var provider = call.Provider.Name;
        var lease = await attempt.ConfigureAwait(false);
        if (lease.IsAcquired)
        {
            return lease;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : (TimeSpan?)null;
        lease.Dispose();
        if (_policy.Mode == RateLimitMode.FailFast)
        {
            throw new RateLimitedException(provider, $"Rate limit of provider '{provider}' reached; retry after {retryAfter?.ToString() ?? "a while"}.", retryAfter);
        }

        LogWaiting(logger, provider, permits, retryAfter);
        var started = services.Time.GetTimestamp();
        using var timeout = new CancellationTokenSource(_policy.MaxWait, services.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        // Left set only when the wait is cancelled from outside (caller or total deadline): the resilience stage then reports
        // its deadline as the rate limit it is.
        call.WaitingForPermit = true;
        try
        {
            lease = await limiter.AcquireAsync(permits, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            call.WaitingForPermit = false;
            services.Stats.Metrics.RecordRateLimitWait(call, services.Time.GetElapsedTime(started), "timeout");
            throw new RateLimitedException(provider, $"Waited the maximum {_policy.MaxWait} for a rate-limit permit of provider '{provider}'.", null, ex);
        }
        catch (OperationCanceledException) when (RecordWait(call, started, "cancelled"))
        {
            throw; // Not reached: the filter only records the wait.
        }

        call.WaitingForPermit = false;
        var waited = services.Time.GetElapsedTime(started);
        if (!lease.IsAcquired)
        {
            services.Stats.Metrics.RecordRateLimitWait(call, waited, "refused");
            lease.TryGetMetadata(MetadataName.ReasonPhrase, out var reason);
            lease.Dispose();
            throw new RateLimitedException(provider, $"Rate limit of provider '{provider}': {reason ?? "refused"}.", retryAfter);
        }

        services.Stats.Metrics.RecordRateLimitWait(call, waited, "acquired");
        LogWaited(logger, provider, waited);
        return lease;
    }

    private bool RecordWait(GatewayCall call, long started, string outcome)
    {
        services.Stats.Metrics.RecordRateLimitWait(call, services.Time.GetElapsedTime(started), outcome);
        return false;
    }

    /// <summary>Corrects the permit's token count with the provider's reported usage, when it reported any.</summary>
    internal static void Correct(WindowRateLimiter limiter, RateLimitLease lease, GatewayCall call)
    {
        if (call.Usage is { } usage && (usage.TotalTokenCount ?? usage.InputTokenCount ?? usage.OutputTokenCount) is not null)
        {
            limiter.Correct(lease, usage.TotalTokenCount ?? ((usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0)));
        }
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Debug, Message = "Rate limit of provider {Provider} reached: waiting for {Permits} tokens (about {RetryAfter}).")]
    private static partial void LogWaiting(ILogger logger, string provider, int permits, TimeSpan? retryAfter);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Debug, Message = "Rate limit of provider {Provider}: permit granted after {Waited}.")]
    private static partial void LogWaited(ILogger logger, string provider, TimeSpan waited);
}
