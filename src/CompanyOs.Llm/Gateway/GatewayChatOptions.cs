using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway;

/// <summary>
/// The gateway's own copy of a caller's <see cref="ChatOptions"/>, carrying the call's <see cref="GatewayCall"/> as a field
/// rather than as an additional property (which cost a dictionary per call). <see cref="ChatOptions.Clone"/> is deliberately
/// not overridden: a copy made further in (a provider client preparing its request) is a plain <see cref="ChatOptions"/>, so
/// the call's state never travels upstream.
/// <para>
/// The values are copied; the objects they refer to — <see cref="ChatOptions.AdditionalProperties"/> (the call context, a
/// pass-through request), tools, stop sequences, reasoning options — are the caller's own, shared rather than cloned: the
/// base class's copy constructor cloned the properties dictionary on every call (≈ 300 B) only for the gateway to read it.
/// Nothing in the pipeline changes them in place: a stage that must change one replaces it with its own copy
/// (<see cref="PassThrough.PassThroughRequest.Detach"/>), so the caller's options are never modified.
/// </para>
/// </summary>
internal sealed class GatewayChatOptions : ChatOptions
{
    public GatewayChatOptions(ChatOptions? caller, GatewayCall call)
    {
        Call = call;
        if (caller is null)
        {
            return;
        }

        // Every property of ChatOptions (GatewayChatOptionsTests fails when Microsoft.Extensions.AI adds one not copied here).
        ConversationId = caller.ConversationId;
        Instructions = caller.Instructions;
        Temperature = caller.Temperature;
        MaxOutputTokens = caller.MaxOutputTokens;
        TopP = caller.TopP;
        TopK = caller.TopK;
        FrequencyPenalty = caller.FrequencyPenalty;
        PresencePenalty = caller.PresencePenalty;
        Seed = caller.Seed;
        Reasoning = caller.Reasoning;
        ResponseFormat = caller.ResponseFormat;
        ModelId = caller.ModelId;
        StopSequences = caller.StopSequences;
        AllowMultipleToolCalls = caller.AllowMultipleToolCalls;
        ToolMode = caller.ToolMode;
        Tools = caller.Tools;
        AllowBackgroundResponses = caller.AllowBackgroundResponses;
        ContinuationToken = caller.ContinuationToken;
        RawRepresentationFactory = caller.RawRepresentationFactory;
        AdditionalProperties = caller.AdditionalProperties;
    }

    public GatewayCall Call { get; }
}
