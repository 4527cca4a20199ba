namespace CompanyOs.Llm.Calls;

/// <summary>
/// Receives every call the gateway charged — answered, failed after the provider billed it, or a stream that broke or was
/// abandoned after output began — with who made it and what it cost, e.g. to keep a durable usage log. Called on the call's
/// own path, so it must return at once (queue the work); it must not throw.
/// </summary>
public interface ILlmCallRecorder
{
    /// <param name="context">Who made the call (org, agent, API key…); null when the caller gave none.</param>
    /// <param name="info">What the gateway charged: provider, model, usage, cost.</param>
    void Record(LlmCallContext? context, LlmCallInfo info);
}
