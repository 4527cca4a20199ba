using CompanyOs.Llm.Errors;

namespace CompanyOs.Llm.Gateway.Routing;

/// <summary>The request names a model or provider the gateway cannot route to; raised before any provider is called.</summary>
public sealed class RoutingException : LlmException
{
    public RoutingException(string? requestedModel, string message)
        : base(message)
    {
        RequestedModel = requestedModel;
    }

    /// <summary>What the caller asked for (model id, alias or <c>provider/model</c>); null when nothing was named.</summary>
    public string? RequestedModel { get; }
}
