using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Llm.Configuration;

namespace CompanyOs.Agents.Tests.Emulated;

/// <summary>
/// Base of the test classes that run one set of cases once per provider wire format: a fresh emulator and gateway per
/// test (<see cref="Model"/>), for the provider a subclass names.
/// </summary>
public abstract class EmulatedModelTests : IAsyncLifetime
{
    private EmulatedModel? _model;

    protected abstract ProviderKind Kind { get; }

    private protected EmulatedModel Model => _model ?? throw new InvalidOperationException("The emulator has not started.");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _model = await EmulatedModel.StartAsync(Kind, Ct);

    public async ValueTask DisposeAsync()
    {
        if (_model is not null)
        {
            await _model.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
