using CompanyOs.Llm.Configuration;

namespace CompanyOs.Llm.Gateway.Routing;

/// <summary>What routing needs to know about model names: aliases and which protocol serves a model.</summary>
public interface IModelResolver
{
    /// <summary>The target of <paramref name="name"/> when it is a routing alias (it may be <c>provider/model</c>); else <paramref name="name"/>.</summary>
    string ResolveAlias(string name);

    /// <summary>The provider protocol that serves <paramref name="model"/>, or null when the model is not known.</summary>
    ProviderKind? GetProviderKind(string model);
}
