using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Providers;

namespace CompanyOs.Llm.Tests.Gateway.Fakes;

/// <summary>The fault matrix over <see cref="ScriptedChatClient"/>s.</summary>
public sealed class FakeFaultHarness(TimeProvider time) : IFaultHarness
{
    private readonly FakeProviderFactory _factory = new(time);

    public LlmOptions Options { get; } = TestOptions.Create();

    public IProviderClientFactory Factory => _factory;

    public void Inject(string provider, MatrixFault fault, int times = 1) => _factory[provider].Enqueue(fault, times);

    public void ClearFaults(string provider) => _factory[provider].ClearFaults();

    public IReadOnlyList<DateTimeOffset> AttemptTimes(string provider) => _factory[provider].AttemptTimes;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
