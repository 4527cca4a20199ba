using System.Diagnostics;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using System.Threading.RateLimiting;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Gateway.Routing;
using CompanyOs.Llm.Tokens;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway;

/// <summary>
/// The state of one call as it passes through the gateway's policies: created by routing, carried on the gateway's own copy
/// of <see cref="ChatOptions"/> (<see cref="GatewayChatOptions"/>), updated by fallback (current route), the provider stage (attempts, usage) and the cache.
/// One call runs its policies sequentially, so no synchronisation is needed.
/// </summary>
internal sealed class GatewayCall
{
    // Kept small (one per call): the estimate as an int with -1 for "not yet", the previous attempt as two references, and
    // the billed failed attempts, which most calls never have, in an object of their own made on the first one.
    private int _promptEstimate = -1;
    private string? _previousProvider;
    private string? _previousModel;
    private BilledAttempts? _billed;

    // Hand-overs between adjacent stages (see OfferLease and OfferSettlement): what the stage above would otherwise keep in an
    // async state of its own while the stage below waits in one of its own.
    private WindowRateLimiter? _leaseLimiter;
    private RateLimitLease? _lease;
    private BudgetSettlement _settlement;
    private HandOver _settlementState;

    public GatewayCall(ModelRoute route, LlmCallContext? context, long startTimestamp)
    {
        PrimaryRoute = route;
        Provider = route.Provider;
        Model = route.Model;
        Context = context;
        StartTimestamp = startTimestamp;
    }

    public ModelRoute PrimaryRoute { get; }

    public LlmCallContext? Context { get; }

    public long StartTimestamp { get; }

    /// <summary>The provider currently being tried (changes on fallback).</summary>
    public ProviderOptions Provider { get; set; }

    /// <summary>The model currently being tried (changes on fallback).</summary>
    public string Model { get; set; }

    /// <summary>Upstream attempts made so far, across retries and fallbacks.</summary>
    public int Attempts { get; set; }

    public int Retries { get; set; }

    /// <summary>Providers given up on, in order; null until fallback happens.</summary>
    public List<string>? FallbackPath { get; set; }

    public bool CacheHit { get; set; }

    /// <summary>The call's span (<see cref="Telemetry.GatewayTelemetry"/>); null when nobody listens.</summary>
    public Activity? Activity { get; set; }

    /// <summary>Provider and model of the previous attempt, which tell a retry from a fallback step in the attempt spans.</summary>
    public (string Provider, string Model)? PreviousAttempt
    {
        get => _previousProvider is null ? null : (_previousProvider, _previousModel!);
        set => (_previousProvider, _previousModel) = (value?.Provider, value?.Model);
    }

    /// <summary>Usage reported by the answering attempt (summed over a stream's usage contents).</summary>
    public UsageDetails? Usage { get; set; }

    /// <summary>
    /// What the attempts that failed after the provider had answered (and so billed them) were charged, summed over retries
    /// and fallback steps; null when none was. See <see cref="AddBilled"/>.
    /// </summary>
    public UsageDetails? BilledUsage => _billed?.Usage;

    /// <summary>The priced part of <see cref="BilledUsage"/>, in USD.</summary>
    public decimal BilledUsd => _billed?.Usd ?? 0m;

    /// <summary>True when a billed attempt's model has no price, so <see cref="BilledUsd"/> understates the spend.</summary>
    public bool BilledUnpriced => _billed?.Unpriced ?? false;

    /// <summary>The billed failed attempts so far as a spend (budgets settle with the growth of this during their step).</summary>
    public SpendAmount BilledSpend => _billed is { Usage: var usage } billed
        ? new SpendAmount(billed.Usd, usage.TotalTokenCount ?? ((usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0)))
        : default;

    /// <summary>The model id the provider reported, when it reported one.</summary>
    public string? AnsweredModel { get; set; }

    /// <summary>Memoised cost of the answering attempt (see <see cref="GatewayServices.CostOf"/>).</summary>
    public decimal? Cost { get; set; }

    public bool CostComputed { get; set; }

    /// <summary>
    /// True while the call waits for a rate-limit permit, so that a total deadline firing during the wait is reported as the
    /// rate limit it is, not as a provider timeout.
    /// </summary>
    public bool WaitingForPermit { get; set; }

    /// <summary>
    /// The task of the resilience stage's latest attempt, while its pipeline runs: an answer that is already there is handed
    /// back as that task instead of a new one. Before the pipeline's first attempt: the first attempt when it was sent ahead
    /// of the pipeline (that attempt then takes its outcome instead of sending another).
    /// </summary>
    public Task<ChatResponse>? LastAttempt { get; set; }

    /// <summary>True once a stream has handed its first update to the caller: no retry or fallback after that.</summary>
    public bool OutputStarted { get; set; }

    /// <summary>
    /// The rate-limit stage offers the permit of the attempt it is about to start to the provider-call stage below it, which
    /// takes it (<see cref="TakeLease"/>) when it waits for the provider's answer in an async state of its own, and then
    /// corrects and releases it there. The offer is withdrawn (<see cref="WithdrawLease"/>) once the attempt has started.
    /// </summary>
    public void OfferLease(WindowRateLimiter limiter, RateLimitLease lease) => (_leaseLimiter, _lease) = (limiter, lease);

    /// <summary>Takes the offered permit, if any: the caller then corrects it on success and disposes it on every outcome.</summary>
    public (WindowRateLimiter Limiter, RateLimitLease Lease)? TakeLease()
    {
        if (_lease is not { } lease)
        {
            return null;
        }

        var limiter = _leaseLimiter!;
        (_leaseLimiter, _lease) = (null, null);
        return (limiter, lease);
    }

    /// <summary>Withdraws the offer made with <see cref="OfferLease"/>: true when it was not taken, so the offering stage still owns the permit.</summary>
    public bool WithdrawLease()
    {
        if (_lease is null)
        {
            return false;
        }

        (_leaseLimiter, _lease) = (null, null);
        return true;
    }

    /// <summary>
    /// The budget stage offers the settlement of its reservation to the resilience stage below it, which takes it
    /// (<see cref="TakeSettlement"/>) when it waits for the attempts in an async state of its own, and then settles when they
    /// have ended, on every outcome (<see cref="SettleTakenAsync"/>). The offer is withdrawn (<see cref="WithdrawSettlement"/>)
    /// once the inner call has started.
    /// </summary>
    public void OfferSettlement(in BudgetSettlement settlement)
    {
        _settlement = settlement;
        _settlementState = HandOver.Offered;
    }

    /// <summary>True when a settlement was offered and is now the caller's to settle with <see cref="SettleTakenAsync"/>.</summary>
    public bool TakeSettlement()
    {
        if (_settlementState != HandOver.Offered)
        {
            return false;
        }

        _settlementState = HandOver.Taken;
        return true;
    }

    /// <summary>
    /// Withdraws the offer made with <see cref="OfferSettlement"/>: true when it was not taken (the offering stage settles);
    /// false when it was (the taker settles, or has settled).
    /// </summary>
    public bool WithdrawSettlement()
    {
        var offered = _settlementState == HandOver.Offered;
        if (offered)
        {
            _settlement = default;
        }

        _settlementState = HandOver.None;
        return offered;
    }

    /// <summary>
    /// Settles the settlement taken with <see cref="TakeSettlement"/> (the call's spend when <paramref name="answered"/>, else
    /// only its billed failed attempts) and clears it. A failure to work out the spend or to settle comes back as a faulted task.
    /// </summary>
    public ValueTask SettleTakenAsync(bool answered)
    {
        var settlement = _settlement;
        _settlement = default;
        return settlement.SettleAsync(this, answered);
    }

    public long PromptTokenEstimate(IEnumerable<ChatMessage> messages, ChatOptions? options, ITokenCounter estimator)
    {
        if (_promptEstimate < 0)
        {
            _promptEstimate = estimator.EstimatePromptTokens(messages, options);
        }

        return _promptEstimate;
    }

    public static GatewayCall Get(ChatOptions? options) =>
        options is GatewayChatOptions { Call: var call }
            ? call
            : throw new InvalidOperationException("This gateway policy must run inside a pipeline that starts with UseRouting().");

    /// <summary>Adds a streamed usage content to <see cref="Usage"/>.</summary>
    public void AddUsage(UsageDetails details)
    {
        if (Usage is null)
        {
            Usage = new UsageDetails();
        }

        Usage.Add(details);
    }

    /// <summary>
    /// Adds the charge of an attempt that failed after the provider answered: a retry or fallback step would otherwise replace
    /// the only record of it (<see cref="Usage"/>), leaving spend the provider billed unrecorded.
    /// </summary>
    public void AddBilled(UsageDetails usage, decimal? costUsd)
    {
        var billed = _billed ??= new BilledAttempts();
        billed.Usage.Add(usage);
        MarkEstimateOnce(billed.Usage);
        billed.Usd += costUsd ?? 0m;
        billed.Unpriced |= costUsd is null;
    }

    /// <summary>The call's cost: the answering attempt's <paramref name="answerCost"/> plus the billed failed attempts; null when any part is unpriced.</summary>
    public decimal? TotalCost(decimal? answerCost) =>
        BilledUsage is null ? answerCost : answerCost is { } cost && !BilledUnpriced ? cost + BilledUsd : null;

    /// <summary>The usage charged for the call: <paramref name="answerUsage"/> plus the billed failed attempts.</summary>
    public UsageDetails? TotalUsage(UsageDetails? answerUsage)
    {
        if (BilledUsage is null)
        {
            return answerUsage;
        }

        var total = new UsageDetails();
        total.Add(BilledUsage);
        if (answerUsage is not null)
        {
            total.Add(answerUsage);
        }

        MarkEstimateOnce(total);
        return total;
    }

    /// <summary>Summing adds the estimate markers up; the key says "estimated" with 1 (<see cref="UsageKeys.Estimated"/>).</summary>
    private static void MarkEstimateOnce(UsageDetails usage)
    {
        if (usage.AdditionalCounts is { } counts && counts.ContainsKey(UsageKeys.Estimated))
        {
            counts[UsageKeys.Estimated] = 1;
        }
    }

    private enum HandOver : byte
    {
        None,
        Offered,
        Taken,
    }

    /// <summary>What the attempts that failed after the provider had answered were charged (see <see cref="AddBilled"/>).</summary>
    private sealed class BilledAttempts
    {
        public UsageDetails Usage { get; } = new();

        public decimal Usd { get; set; }

        public bool Unpriced { get; set; }
    }
}
