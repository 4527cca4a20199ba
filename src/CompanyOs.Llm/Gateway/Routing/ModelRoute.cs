using CompanyOs.Llm.Configuration;

namespace CompanyOs.Llm.Gateway.Routing;

/// <summary>Where a call goes: a configured, enabled provider and the model id sent to it.</summary>
public sealed record ModelRoute(ProviderOptions Provider, string Model);
