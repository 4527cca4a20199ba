using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers;

/// <summary>What differs per provider protocol in <see cref="ProviderChatClient"/>: reading SDK errors, usage and stream ends.</summary>
internal abstract class ProviderDialect
{
    public abstract ProviderKind Kind { get; }

    /// <summary>The HTTP status an SDK exception carries, for failures the HTTP observer did not see.</summary>
    public virtual int? StatusFrom(Exception exception) => null;

    /// <summary>A kind named by the provider itself (e.g. Anthropic's <c>overloaded_error</c> event inside a 200 stream).</summary>
    public virtual ProviderErrorKind? KindFrom(Exception exception) => null;

    /// <summary>True for SDK exceptions that mean "the body was not the wire format".</summary>
    public virtual bool IsMalformed(Exception exception) => false;

    /// <summary>Brings a complete response to the house conventions (usage, see <see cref="Calls.UsageKeys"/>).</summary>
    public virtual ChatResponse Normalise(ChatResponse response)
    {
        response.Usage = NormaliseUsage(response.Usage);
        return response;
    }

    /// <summary>Last touch on outgoing options, for settings the SDK's chat adapter would otherwise lose.</summary>
    public virtual ChatOptions PrepareRequest(ChatOptions options) => options;

    /// <summary>Per-stream state that normalises updates and knows whether the terminal event arrived.</summary>
    public virtual StreamTracker StartStream() => new FinishReasonStreamTracker(this);

    public virtual UsageDetails? NormaliseUsage(UsageDetails? usage)
    {
        if (usage is null)
        {
            return null;
        }

        usage.TotalTokenCount ??= usage.InputTokenCount + usage.OutputTokenCount;
        return usage;
    }
}
