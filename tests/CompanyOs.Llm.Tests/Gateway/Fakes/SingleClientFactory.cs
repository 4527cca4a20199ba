using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Providers;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway.Fakes;

/// <summary>Gives every provider the one test client (for a test's own client double behind the whole gateway).</summary>
public sealed class SingleClientFactory(IChatClient client) : IProviderClientFactory
{
    public IChatClient Create(ProviderOptions provider) => client;
}
