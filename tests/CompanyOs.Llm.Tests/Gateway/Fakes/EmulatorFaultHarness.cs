using CompanyOs.Emulator;
using CompanyOs.Emulator.Faults;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Providers;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway.Fakes;

/// <summary>
/// The fault matrix over the real provider clients (official OpenAI SDK) against two emulators on 127.0.0.1, one per
/// provider, so faults are injected on the wire. The gateway's clock stays fake; HTTP is real.
/// </summary>
public sealed class EmulatorFaultHarness : IFaultHarness
{
    private readonly Dictionary<string, EmulatorServer> _servers;
    private readonly RecordingFactory _factory;

    private EmulatorFaultHarness(Dictionary<string, EmulatorServer> servers, TimeProvider gatewayTime)
    {
        _servers = servers;
        _factory = new RecordingFactory(new ProviderClientFactory(), gatewayTime);
        Options = TestOptions.Create(
            TestOptions.ProviderA(servers["a"].OpenAIEndpoint) with { Timeout = TimeSpan.FromMinutes(10) },
            TestOptions.ProviderB(servers["b"].OpenAIEndpoint) with
            {
                Kind = ProviderKind.OpenAI,
                DefaultModel = "gpt-4o",
                FallbackModels = new Dictionary<string, string> { ["gpt-4o-mini"] = "gpt-4o" },
                Timeout = TimeSpan.FromMinutes(10),
            });
    }

    public LlmOptions Options { get; }

    public IProviderClientFactory Factory => _factory;

    public static async Task<EmulatorFaultHarness> StartAsync(TimeProvider gatewayTime, CancellationToken cancellationToken)
    {
        var a = await EmulatorServer.StartAsync(cancellationToken: cancellationToken);
        var b = await EmulatorServer.StartAsync(cancellationToken: cancellationToken);
        return new EmulatorFaultHarness(new Dictionary<string, EmulatorServer> { ["a"] = a, ["b"] = b }, gatewayTime);
    }

    public void Inject(string provider, MatrixFault fault, int times = 1) => _servers[provider].Faults.Enqueue(fault.Kind switch
    {
        MatrixFaultKind.Status => Fault.Status(fault.StatusCode, fault.RetryAfter),
        MatrixFaultKind.Reset => Fault.ConnectionReset(),
        _ => Fault.CutAfter(fault.Chunks),
    }, times);

    public void ClearFaults(string provider) => _servers[provider].Faults.Clear();

    public IReadOnlyList<DateTimeOffset> AttemptTimes(string provider) => _factory.AttemptTimes(provider);

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers.Values)
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>Wraps each real provider client to record, on the gateway's clock, when each attempt started.</summary>
    private sealed class RecordingFactory(IProviderClientFactory inner, TimeProvider time) : IProviderClientFactory
    {
        private readonly Dictionary<string, List<DateTimeOffset>> _attempts = [];

        public IChatClient Create(ProviderOptions provider)
        {
            lock (_attempts)
            {
                _attempts[provider.Name] = [];
            }

            return new Recording(inner.Create(provider), () => Record(provider.Name));
        }

        public IReadOnlyList<DateTimeOffset> AttemptTimes(string provider)
        {
            lock (_attempts)
            {
                return _attempts.TryGetValue(provider, out var list) ? [.. list] : [];
            }
        }

        private void Record(string provider)
        {
            lock (_attempts)
            {
                _attempts[provider].Add(time.GetUtcNow());
            }
        }
    }

    private sealed class Recording(IChatClient inner, Action onAttempt) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            onAttempt();
            return base.GetResponseAsync(messages, options, cancellationToken);
        }

        public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            onAttempt();
            return base.GetStreamingResponseAsync(messages, options, cancellationToken);
        }
    }
}
