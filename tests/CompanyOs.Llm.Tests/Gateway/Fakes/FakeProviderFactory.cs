using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Providers;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway.Fakes;

/// <summary>Hands the gateway one <see cref="ScriptedChatClient"/> per provider name.</summary>
public sealed class FakeProviderFactory(TimeProvider time) : IProviderClientFactory
{
    private readonly Dictionary<string, ScriptedChatClient> _clients = [];

    public ScriptedChatClient this[string provider] => Get(provider);

    public IChatClient Create(ProviderOptions provider) => Get(provider.Name);

    private ScriptedChatClient Get(string name)
    {
        lock (_clients)
        {
            if (!_clients.TryGetValue(name, out var client))
            {
                _clients[name] = client = new ScriptedChatClient(name, time);
            }

            return client;
        }
    }
}
