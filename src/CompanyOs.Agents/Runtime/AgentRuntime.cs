using System.Runtime.CompilerServices;
using System.Text.Json;
using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Leases;
using CompanyOs.Agents.ReadModel;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Steps;
using CompanyOs.Events;
using CompanyOs.Prompts;
using CompanyOs.Tools;
using CompanyOs.Tools.Registry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CompanyOs.Agents.Runtime;

/// <summary>
/// Runs agents durably. Every step is an event in <c>agent-session:{run id}</c> the moment it happens; a run's state is the
/// fold of those events, so any runtime on the same store can resume it, decide its approvals or cancel it — also after a
/// restart. LLM calls go through the injected <see cref="IChatClient"/> (the gateway).
/// </summary>
public sealed class AgentRuntime : IAsyncDisposable
{
    private readonly IEventStore _store;
    private readonly IToolRegistry _tools;
    private readonly IReadOnlyDictionary<string, AgentDefinition> _definitions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RunStarter _starter;
    private readonly DecisionRecorder _decisions;
    private readonly LeasedDrives _drives;
    private readonly ToolSetGuard _toolSet;
    private readonly RunCatalog _catalog;
    private readonly bool _emulated;
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    public AgentRuntime(
        IChatClient chatClient,
        IEventStore store,
        IToolRegistry tools,
        IPromptLibrary prompts,
        IReadOnlyDictionary<string, AgentDefinition> definitions,
        AgentRuntimeOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<AgentRuntime>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(definitions);
        options ??= new AgentRuntimeOptions();
        options.Validate();
        _store = store;
        _tools = tools;
        _definitions = definitions;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _starter = new RunStarter(prompts, tools, _logger);
        var loop = new ReasoningLoop(
            new ModelTurnRunner(chatClient, tools, _time, options), new ToolBatchExecutor(tools, new ToolInvoker(tools, _time), _time, options, _logger), tools, _time, _logger);
        _decisions = new DecisionRecorder(store, _time, options);
        _toolSet = new ToolSetGuard(tools, options.ConfigurationPath, options.AllowMissingTools);
        InstanceId = options.InstanceId ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
        Leases = options.UseRunLeases ? new RunLeases(store, InstanceId, options.LeaseDuration, _time) : null;
        _drives = new LeasedDrives(store, loop, Leases, InstanceId, _time, _logger);
        _catalog = RunCatalog.For(store, options.Catalog, _time);
        _emulated = options.Emulated;
    }

    /// <summary>The run read model over this runtime's store: lists of runs and pending decisions without re-folding every run.</summary>
    public IRunCatalog Runs => _catalog;

    /// <summary>The run leases this runtime drives under (null when <see cref="AgentRuntimeOptions.UseRunLeases"/> is off): e.g. to find runs to take over.</summary>
    public RunLeases? Leases { get; }

    /// <summary>This runtime's id in run leases and logs.</summary>
    public string InstanceId { get; }

    /// <summary>Starts a run and drives it until it ends or waits for a human.</summary>
    /// <exception cref="AgentRunException">Unknown agent type or capability, empty task, or the run id exists already.</exception>
    /// <exception cref="PromptException">The persona or capability template cannot be rendered (e.g. a required variable is missing).</exception>
    public async Task<AgentRunResult> RunAsync(AgentRunRequest request, AgentStepCallback? onStep = null, CancellationToken cancellationToken = default)
    {
        var journal = await StartAsync(request, onStep, cancellationToken).ConfigureAwait(false);
        return await DriveAsync(journal, fresh: true, waitForLease: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records the start of a run without driving it (e.g. to drive it in the background with <see cref="ResumeAsync"/>); returns its id.</summary>
    public async Task<string> StartOnlyAsync(AgentRunRequest request, CancellationToken cancellationToken = default)
    {
        using var journal = await StartAsync(request, null, cancellationToken).ConfigureAwait(false);
        return journal.State.RunId;
    }

    /// <summary>The steps of a new run as they happen; ends when the run ends or waits for a human.</summary>
    public IAsyncEnumerable<AgentStep> RunStreamingAsync(AgentRunRequest request, CancellationToken cancellationToken = default) =>
        AgentSteps.Create((onStep, ct) => RunAsync(request, onStep, ct), cancellationToken);

    /// <summary>
    /// Continues a run from the store alone: settles tool calls interrupted by a crash (never re-running a non-idempotent
    /// one), expires overdue approvals, and drives on. A run that waits or has ended is returned as it is; a run another
    /// instance drives (it holds the run's lease) is left alone and returned with <see cref="AgentRunResult.DrivenBy"/>.
    /// </summary>
    /// <exception cref="AgentRunException">The run does not exist, or this runtime lacks tools it needs (<see cref="AgentRunErrorKind.ToolsUnavailable"/>).</exception>
    public async Task<AgentRunResult> ResumeAsync(string runId, AgentStepCallback? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var state = await RunJournal.LoadAsync(_store, runId, cancellationToken).ConfigureAwait(false);
        if (state.Status == RunStatus.None)
        {
            throw new AgentRunException(AgentRunErrorKind.RunNotFound, $"Run '{runId}' does not exist.", runId);
        }

        _toolSet.EnsureCanDrive(state);
        RuntimeLog.RunResumed(_logger, runId, state.Version, state.Status.ToWireName());
        return await DriveAsync(new RunJournal(_store, state, _time, onStep), fresh: false, waitForLease: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Approves a waiting tool call, optionally with edited arguments (validated against the tool's schema), and continues the run.</summary>
    public Task<AgentRunResult> ApproveAsync(
        string runId, string callId, JsonElement? editedArguments = null, string? decidedBy = null, AgentStepCallback? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(callId);
        var outcome = new Decisions.Outcome();
        return DecideAsync(runId, s => Decisions.Approve(s, callId, editedArguments, decidedBy, _tools, _time.GetUtcNow(), outcome), decidedBy, outcome, onStep, cancellationToken);
    }

    /// <summary>Rejects a waiting tool call; the model receives a tool result saying so, with <paramref name="reason"/>.</summary>
    public Task<AgentRunResult> RejectAsync(
        string runId, string callId, string reason, string? decidedBy = null, AgentStepCallback? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(callId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var outcome = new Decisions.Outcome();
        return DecideAsync(runId, s => Decisions.Reject(s, callId, reason, decidedBy, _time.GetUtcNow(), outcome), decidedBy, outcome, onStep, cancellationToken);
    }

    /// <summary>Answers an <c>ask_human</c> question; the answer is the tool result and the run continues.</summary>
    public Task<AgentRunResult> AnswerAsync(
        string runId, string questionId, string text, string? answeredBy = null, AgentStepCallback? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(questionId);
        ArgumentNullException.ThrowIfNull(text);
        var outcome = new Decisions.Outcome();
        return DecideAsync(runId, s => Decisions.Answer(s, questionId, text, answeredBy, _time.GetUtcNow(), outcome), answeredBy, outcome, onStep, cancellationToken);
    }

    /// <summary>
    /// Records a human decision without driving the run on (a host drives it in the background, e.g. under its own
    /// concurrency limit, with <see cref="ResumeAsync"/>). Edited arguments are validated against the tool's schema first.
    /// </summary>
    /// <exception cref="AgentRunException">
    /// The run does not exist or has ended, the call or question is not pending (already decided), the edited arguments
    /// are invalid, or the decision came too late (<see cref="AgentRunErrorKind.Expired"/>: the expiry was recorded).
    /// </exception>
    public async Task<AgentRunResult> RecordDecisionAsync(string runId, RunDecision decision, string? decidedBy = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentNullException.ThrowIfNull(decision);
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        var outcome = new Decisions.Outcome();
        IReadOnlyList<RunEvent> Decide(RunState state)
        {
            _toolSet.EnsureCanDrive(state);
            var now = _time.GetUtcNow();
            return decision.Kind switch
            {
                RunDecisionKind.Approve => Decisions.Approve(state, decision.Id, decision.EditedArguments, decidedBy, _tools, now, outcome),
                RunDecisionKind.Reject => Decisions.Reject(state, decision.Id, decision.Text!, decidedBy, now, outcome),
                _ => Decisions.Answer(state, decision.Id, decision.Text!, decidedBy, now, outcome),
            };
        }

        using var journal = await _decisions.RecordAsync(runId, Decide, Actor(decidedBy), null, cancellationToken).ConfigureAwait(false);
        return outcome.Error is { } error ? throw error : Result(journal.State);
    }

    /// <summary>Cancels a run for good: stops a drive of this runtime and records <c>RunCancelled</c> (a driver elsewhere stops at its next write).</summary>
    public async Task<AgentRunResult> CancelAsync(string runId, string? reason = null, string? cancelledBy = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        await _drives.CancelActiveAsync(runId).ConfigureAwait(false);

        using var journal = await _decisions.RecordAsync(
            runId,
            s => ReasoningLoop.WithTrace(s, [new RunCancelled { Reason = reason, CancelledBy = cancelledBy }], _time.GetUtcNow()),
            Actor(cancelledBy),
            null,
            cancellationToken).ConfigureAwait(false);
        return Result(journal.State);
    }

    /// <summary>The run's current state from the store, or null when it does not exist.</summary>
    public async Task<RunState?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var state = await RunJournal.LoadAsync(_store, runId, cancellationToken).ConfigureAwait(false);
        return state.Status == RunStatus.None ? null : state;
    }

    /// <summary>Every pending approval and question of an organisation's runs (all organisations when <paramref name="orgId"/> is null), unexpired, from the read model (<see cref="Runs"/>).</summary>
    public async IAsyncEnumerable<PendingApproval> ListPendingApprovalsAsync(
        string? orgId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var pending in await _catalog.ListPendingDecisionsAsync(orgId, cancellationToken).ConfigureAwait(false))
        {
            yield return pending;
        }
    }

    /// <summary>
    /// Stops drives in progress and waits until they have ended and released their leases (their runs stay resumable), so
    /// the store may be disposed right after. Pending approvals are unaffected: they live in the store.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _drives.StopAsync().ConfigureAwait(false);
        await _catalog.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task<RunJournal> StartAsync(AgentRunRequest request, AgentStepCallback? onStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        if (string.IsNullOrWhiteSpace(request.Task) && request.Capability is null)
        {
            throw new AgentRunException(AgentRunErrorKind.InvalidRequest, "The task must not be empty (or start the run for a capability).");
        }

        if (!_definitions.TryGetValue(request.AgentType, out var definition))
        {
            throw new AgentRunException(
                AgentRunErrorKind.UnknownAgentType,
                $"Unknown agent type '{request.AgentType}' (known: {string.Join(", ", _definitions.Keys.Order(StringComparer.Ordinal))}).");
        }

        if (request.MaxIterations is < 1)
        {
            throw new AgentRunException(AgentRunErrorKind.InvalidRequest, $"The iteration limit must be at least 1; got {request.MaxIterations}.");
        }

        definition = definition with
        {
            Autonomy = request.Autonomy ?? definition.Autonomy,
            MaxIterations = request.MaxIterations ?? definition.MaxIterations,
        };
        var runId = request.RunId ?? $"run_{Guid.NewGuid():N}";
        var started = _starter.Create(definition, request, runId) with { ConfigPath = _toolSet.ConfigurationPath, ToolSetHash = _toolSet.ToolSetHash, Emulated = _emulated };
        var journal = new RunJournal(_store, RunState.Empty, _time, onStep);
        try
        {
            await journal.AppendAsync(started, $"agent:{definition.Type}", cancellationToken).ConfigureAwait(false);
        }
        catch (RunOwnershipLostException ex)
        {
            journal.Dispose();
            throw new AgentRunException(AgentRunErrorKind.RunAlreadyExists, $"Run '{runId}' already exists.", runId, ex);
        }

        RuntimeLog.RunStarted(_logger, runId, definition.Type);
        return journal;
    }

    private async Task<AgentRunResult> DecideAsync(
        string runId, Func<RunState, IReadOnlyList<RunEvent>> decide, string? actor, Decisions.Outcome outcome, AgentStepCallback? onStep, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        // Checked before anything is recorded: a process without the run's tools must not approve a call it cannot make.
        IReadOnlyList<RunEvent> Checked(RunState state)
        {
            _toolSet.EnsureCanDrive(state);
            return decide(state);
        }

        var journal = await _decisions.RecordAsync(runId, Checked, Actor(actor), onStep, cancellationToken).ConfigureAwait(false);
        var result = await DriveAsync(journal, fresh: false, waitForLease: true, cancellationToken).ConfigureAwait(false);
        return outcome.Error is { } error ? throw error : result;
    }

    private AgentRunResult Result(RunState state) => _drives.Result(state);

    private Task<AgentRunResult> DriveAsync(RunJournal journal, bool fresh, bool waitForLease, CancellationToken cancellationToken) =>
        _drives.DriveAsync(journal, fresh, waitForLease, _stopping.Token, cancellationToken);

    private static string Actor(string? who) => who is null ? "user" : $"user:{who}";
}
