using CompanyOs.Llm.Configuration;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers;

/// <summary>
/// Creates the bare provider client (official SDK behind an <see cref="IChatClient"/> adapter) for one configured provider.
/// The client translates SDK failures into <see cref="Errors.ProviderException"/> and normalises usage (see <see cref="Calls.UsageKeys"/>).
/// The gateway wraps these clients; nothing else should call them directly.
/// </summary>
public interface IProviderClientFactory
{
    IChatClient Create(ProviderOptions provider);
}
