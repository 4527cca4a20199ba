using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Providers;

namespace CompanyOs.Llm.Tests.Gateway.Fakes;

/// <summary>Where the fault matrix runs: fake providers, or the real provider clients against the emulator.</summary>
public interface IFaultHarness : IAsyncDisposable
{
    /// <summary>Providers "a" (falls back to "b") and "b", pointed at this harness.</summary>
    LlmOptions Options { get; }

    IProviderClientFactory Factory { get; }

    void Inject(string provider, MatrixFault fault, int times = 1);

    void ClearFaults(string provider);

    /// <summary>When each attempt reached the provider, on the gateway's (fake) clock.</summary>
    IReadOnlyList<DateTimeOffset> AttemptTimes(string provider);
}
