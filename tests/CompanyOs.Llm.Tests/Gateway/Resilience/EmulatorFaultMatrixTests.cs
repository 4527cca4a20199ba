using CompanyOs.Llm.Tests.Gateway.Fakes;

namespace CompanyOs.Llm.Tests.Gateway.Resilience;

/// <summary>The same matrix on the wire: the real OpenAI provider client against the emulator's fault injection.</summary>
public sealed class EmulatorFaultMatrixTests : GatewayFaultMatrixTests
{
    protected override string? CannotCutAfterOutput =>
        "With the emulator's cut-after=N the OpenAI provider client fails with ConnectionFailed before yielding any update " +
        "(for every N), so no cut can happen after output on this path yet; the gateway side is covered by the fake harness.";

    protected override async ValueTask<IFaultHarness> StartAsync() =>
        await EmulatorFaultHarness.StartAsync(Time, TestContext.Current.CancellationToken);
}
