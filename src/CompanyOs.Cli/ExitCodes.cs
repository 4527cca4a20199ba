namespace CompanyOs.Cli;

/// <summary>Process exit codes of <c>companyos</c> (documented in docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>Done; for agent runs: the run completed.</summary>
    public const int Success = 0;

    /// <summary>The provider (chat) or the event store failed (after the message on stderr).</summary>
    public const int ProviderFailed = 1;

    /// <summary>Bad configuration or arguments (unknown agent, unknown run, invalid JSON, ...).</summary>
    public const int BadInput = 2;

    /// <summary>The run waits for approvals or answers; the commands to give them were printed.</summary>
    public const int AwaitingInput = 3;

    /// <summary>The run ended without completing: failed, cancelled, max iterations, budget exceeded, or incomplete (the answer was cut off).</summary>
    public const int RunNotCompleted = 4;

    /// <summary>Another process drives the run (it holds the run's lease); this one left it alone. Decisions given were recorded.</summary>
    public const int DrivenElsewhere = 5;

    /// <summary>Interrupted (Ctrl+C); the run is stored and can be continued with <c>companyos resume</c>.</summary>
    public const int Interrupted = 130;
}
