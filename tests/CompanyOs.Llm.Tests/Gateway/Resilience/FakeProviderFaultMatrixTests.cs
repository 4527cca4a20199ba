using CompanyOs.Llm.Tests.Gateway.Fakes;

namespace CompanyOs.Llm.Tests.Gateway.Resilience;

public sealed class FakeProviderFaultMatrixTests : GatewayFaultMatrixTests
{
    protected override ValueTask<IFaultHarness> StartAsync() => ValueTask.FromResult<IFaultHarness>(new FakeFaultHarness(Time));
}
