using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway;

/// <summary>
/// The gateway's own copy of a caller's <see cref="ChatOptions"/>, carrying the call's <see cref="GatewayCall"/> as a field
/// rather than as an additional property (which cost a dictionary per call). <see cref="ChatOptions.Clone"/> is deliberately
/// not overridden: a copy made further in (a provider client preparing its request) is a plain <see cref="ChatOptions"/>, so
/// the call's state never travels upstream.
/// </summary>
internal sealed class GatewayChatOptions : ChatOptions
{
    public GatewayChatOptions(ChatOptions? caller, GatewayCall call)
        : base(caller)
    {
        Call = call;
    }

    public GatewayCall Call { get; }
}
