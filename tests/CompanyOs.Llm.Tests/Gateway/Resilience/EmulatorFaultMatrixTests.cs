using CompanyOs.Llm.Tests.Gateway.Fakes;

namespace CompanyOs.Llm.Tests.Gateway.Resilience;

/// <summary>The same matrix on the wire: the real OpenAI provider client against the emulator's fault injection.</summary>
public sealed class EmulatorFaultMatrixTests : GatewayFaultMatrixTests
{
    protected override async ValueTask<IFaultHarness> StartAsync() =>
        await EmulatorFaultHarness.StartAsync(Time, TestContext.Current.CancellationToken);
}
