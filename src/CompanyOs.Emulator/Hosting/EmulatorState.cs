using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Model;
using CompanyOs.Emulator.Scripting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CompanyOs.Emulator.Hosting;

/// <summary>Everything the endpoints of one emulator instance share.</summary>
internal sealed class EmulatorState
{
    public EmulatorState(EmulatorOptions options)
    {
        Options = options;
        Tokens = new TokenCounter();
        Model = new ScriptedModel(Tokens, options.MaxParallelToolCalls);
        Ledger = new RequestLedger(options.MaxRecordedRequests);
        Logger = options.LoggerFactory?.CreateLogger("CompanyOs.Emulator") ?? NullLogger.Instance;
        Script.Enqueue([.. options.Script]);
    }

    public EmulatorOptions Options { get; }

    public TimeProvider Time => Options.TimeProvider;

    public TurnScript Script { get; } = new();

    public FaultPlan Faults { get; } = new();

    public RequestLedger Ledger { get; }

    public TokenCounter Tokens { get; }

    public ScriptedModel Model { get; }

    public ILogger Logger { get; }
}
