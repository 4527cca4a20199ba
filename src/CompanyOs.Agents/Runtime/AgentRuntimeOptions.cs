using System.ComponentModel.DataAnnotations;

namespace CompanyOs.Agents.Runtime;

/// <summary>Runtime-wide limits. Per-agent settings live in the agent definitions.</summary>
public sealed record AgentRuntimeOptions
{
    /// <summary>Tool outputs longer than this are stored (and shown to the model) cut, with a marker saying how much was cut.</summary>
    [Range(1_000, 10_000_000)]
    public int MaxToolOutputChars { get; init; } = 100_000;

    /// <summary>How often a decision or cancellation is retried when it races another writer of the same run.</summary>
    [Range(1, 100)]
    public int ConflictRetries { get; init; } = 8;

    /// <summary>
    /// When a step observer is attached (a callback or <c>RunStreamingAsync</c>), ask the model for a streamed answer and
    /// emit its text as transient <see cref="Steps.AgentStepKind.TextDelta"/> steps. Without an observer the model is always
    /// asked for a whole answer. A stream that breaks after its first text is asked again without streaming (the gateway
    /// retries and falls back as usual) and a <c>Restart</c> delta tells the observer to discard the partial text.
    /// </summary>
    public bool StreamModelOutput { get; init; } = true;

    /// <summary>
    /// Take a lease (a row of <c>run_leases</c> next to the events, with a fencing token) for every drive, so that exactly one runtime
    /// instance — of any process sharing the store — drives a run at a time; others leave it alone
    /// (<see cref="AgentRunResult.DrivenBy"/>). Off, only optimistic concurrency on the run's stream stops a second driver
    /// (at its next write, after which the first stops).
    /// </summary>
    public bool UseRunLeases { get; init; } = true;

    /// <summary>How long a run's lease lasts without renewal (renewed every third of it while driving), 100 ms to 1 hour. A crashed instance's runs can be taken over after this.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>This runtime's id in leases and logs; null = machine name, process id and a random suffix (unique per runtime).</summary>
    public string? InstanceId { get; init; }

    /// <summary>
    /// The configuration this runtime was built from (e.g. the absolute path of <c>llm.yaml</c>), recorded in every new
    /// run's <c>RunStarted</c> with a hash of the tool set, and named when another process must drive the run.
    /// </summary>
    public string? ConfigurationPath { get; init; }

    /// <summary>
    /// Drive and decide runs even when this runtime's tool set lacks tools the run was started with (calls to them then
    /// fail as unavailable). Off, such a run is refused with <see cref="AgentRunErrorKind.ToolsUnavailable"/>.
    /// </summary>
    public bool AllowMissingTools { get; init; }

    /// <summary>The host's models are answered by the CompanyOS emulator: recorded in every new run (<c>RunStarted.emulated</c>) so lists can mark it.</summary>
    public bool Emulated { get; init; }

    /// <summary>
    /// Record tool arguments and results on the <c>execute_tool</c> spans. Off unless opted in; default: the environment
    /// variable <c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true</c>. (Prompts and answers are the gateway's switch.)
    /// </summary>
    public bool RecordContents { get; init; } = TelemetryContentCapture.FromEnvironment();

    /// <summary>Settings of the run read model (<see cref="AgentRuntime.Runs"/>).</summary>
    public ReadModel.RunCatalogOptions Catalog { get; init; } = new();

    /// <summary>The user message of the last, tools-disabled turn at max iterations.</summary>
    public string FinalTurnInstruction { get; init; } =
        "You have reached the maximum number of iterations for this task and tools are no longer available. "
        + "Give your best final answer now from what you have found so far, and say what is still open.";

    /// <exception cref="ValidationException">A setting is outside its range (named in the message).</exception>
    internal void Validate()
    {
        // Checked by hand rather than by DataAnnotations' reflection-based Validator, so that the runtime is trimming- and
        // Native-AOT-safe; the [Range] attributes above document the same bounds.
        OptionRange.Check(MaxToolOutputChars, 1_000, 10_000_000, nameof(MaxToolOutputChars));
        OptionRange.Check(ConflictRetries, 1, 100, nameof(ConflictRetries));
        OptionRange.Check(LeaseDuration, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), nameof(LeaseDuration));
    }
}
