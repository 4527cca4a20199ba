using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway.Stats;

internal static class CallAccountingChatClientBuilderExtensions
{
    /// <summary>Adds cost, <see cref="Calls.LlmCallInfo"/> and stats for every call.</summary>
    public static ChatClientBuilder UseCallAccounting(this ChatClientBuilder builder, GatewayServices services) =>
        builder.Use(inner => new CallAccountingChatClient(inner, services));
}
