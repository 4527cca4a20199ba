using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Routing;
using CompanyOs.Llm.Tokens;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway;

/// <summary>
/// The state of one call as it passes through the gateway's policies: created by routing, carried on the gateway's own copy
/// of <see cref="ChatOptions"/>, updated by fallback (current route), the provider stage (attempts, usage) and the cache.
/// One call runs its policies sequentially, so no synchronisation is needed.
/// </summary>
internal sealed class GatewayCall
{
    internal const string PropertyKey = "companyos.gateway_call";
    private long? _promptEstimate;

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

    /// <summary>Usage reported by the answering attempt (summed over a stream's usage contents).</summary>
    public UsageDetails? Usage { get; set; }

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

    /// <summary>True once a stream has handed its first update to the caller: no retry or fallback after that.</summary>
    public bool OutputStarted { get; set; }

    public long PromptTokenEstimate(IEnumerable<ChatMessage> messages, ChatOptions? options, ITokenCounter estimator) =>
        _promptEstimate ??= estimator.EstimatePromptTokens(messages, options);

    public static GatewayCall Get(ChatOptions? options) =>
        options?.AdditionalProperties is { } props && props.TryGetValue(PropertyKey, out var value) && value is GatewayCall call
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
}
