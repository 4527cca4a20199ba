using System.CommandLine;
using System.Text.Json;
using CompanyOs.Agents.Runs;
using CompanyOs.Cli.Errors;
using CompanyOs.Cli.Runs;

namespace CompanyOs.Cli.Commands.Runs;

/// <summary>
/// <c>approve</c>, <c>reject</c>, <c>answer</c>, <c>resume</c> and <c>cancel</c>: record a decision on a stored run (also from another process
/// than the one that started it) and drive the run on with live steps.
/// </summary>
internal static class DecisionCommands
{
    public static Command Approve(CliEnvironment environment)
    {
        var (runId, callId) = (RunIdArgument(), new Argument<string>("call-id") { Description = "The waiting tool call (its call id, or the approval id)." });
        var args = new Option<string?>("--args") { Description = "Approve with these arguments instead (a JSON object, validated against the tool's schema)." };
        var command = new Command("approve", "Approve a waiting tool call and continue the run.") { runId, callId, args };
        return WithAction(command, environment, runId, parse => ArgumentsJson.Check(parse.GetValue(args), "--args"), async (parse, run, host, session, ct) =>
        {
            var edited = parse.GetValue(args) is { } text ? ArgumentsJson.Parse(text, "--args") : (JsonElement?)null;
            var state = await RunLookup.RequireRunAsync(host.Runtime, run, host.Paths.Database, ct).ConfigureAwait(false);
            var call = RunLookup.RequireWaitingCall(state, parse.GetValue(callId)!, question: false);
            return await session.DriveAsync(run, (onStep, c) => host.Runtime.ApproveAsync(run, call, edited, User(environment), onStep, c), ct).ConfigureAwait(false);
        });
    }

    public static Command Reject(CliEnvironment environment)
    {
        var (runId, callId) = (RunIdArgument(), new Argument<string>("call-id") { Description = "The waiting tool call (its call id, or the approval id)." });
        var reason = new Option<string>("--reason", "-r") { Description = "Why (the model is told, so it can take another way).", Required = true };
        var command = new Command("reject", "Reject a waiting tool call; the model gets the reason as the tool's result and the run continues.") { runId, callId, reason };
        return WithAction(command, environment, runId, parse => RequireText(parse.GetValue(reason), "--reason must not be empty (the model is told why it was rejected)."), async (parse, run, host, session, ct) =>
        {
            var why = parse.GetValue(reason)!;
            var state = await RunLookup.RequireRunAsync(host.Runtime, run, host.Paths.Database, ct).ConfigureAwait(false);
            var call = RunLookup.RequireWaitingCall(state, parse.GetValue(callId)!, question: false);
            return await session.DriveAsync(run, (onStep, c) => host.Runtime.RejectAsync(run, call, why.Trim(), User(environment), onStep, c), ct).ConfigureAwait(false);
        });
    }

    public static Command Answer(CliEnvironment environment)
    {
        var runId = RunIdArgument();
        var questionId = new Argument<string>("question-id") { Description = "The question (its id, or the ask_human call id)." };
        var text = new Argument<string>("text") { Description = "The answer." };
        var command = new Command("answer", "Answer an agent's question (ask_human) and continue the run.") { runId, questionId, text };
        return WithAction(command, environment, runId, parse => RequireText(parse.GetValue(text), "the answer must not be empty."), async (parse, run, host, session, ct) =>
        {
            var answer = parse.GetValue(text)!.Trim();
            var state = await RunLookup.RequireRunAsync(host.Runtime, run, host.Paths.Database, ct).ConfigureAwait(false);
            var question = RunLookup.RequireWaitingCall(state, parse.GetValue(questionId)!, question: true);
            return await session.DriveAsync(run, (onStep, c) => host.Runtime.AnswerAsync(run, question, answer, User(environment), onStep, c), ct).ConfigureAwait(false);
        });
    }

    public static Command Resume(CliEnvironment environment)
    {
        var runId = RunIdArgument();
        var command = new Command("resume", "Continue a stored run (after Ctrl+C or a crash): interrupted tool calls are settled, then the run is driven on.") { runId };
        return WithAction(command, environment, runId, _ => { }, async (parse, run, host, session, ct) =>
        {
            await RunLookup.RequireRunAsync(host.Runtime, run, host.Paths.Database, ct).ConfigureAwait(false);
            return await session.DriveAsync(run, (onStep, c) => host.Runtime.ResumeAsync(run, onStep, c), ct).ConfigureAwait(false);
        });
    }

    public static Command Cancel(CliEnvironment environment)
    {
        var runId = RunIdArgument();
        var reason = new Option<string?>("--reason", "-r") { Description = "Why (recorded with the run)." };
        var command = new Command("cancel", "Cancel a run for good: pending decisions are dropped and a driver elsewhere stops at its next step.") { runId, reason };
        return WithAction(command, environment, runId, _ => { }, async (parse, run, host, session, ct) =>
        {
            var state = await RunLookup.RequireRunAsync(host.Runtime, run, host.Paths.Database, ct).ConfigureAwait(false);
            if (state.Status.IsTerminal())
            {
                throw new CliUsageException($"run '{run}' has already ended ({state.Status.ToWireName()}); there is nothing to cancel.");
            }

            var why = parse.GetValue(reason) is { } text && !string.IsNullOrWhiteSpace(text) ? text.Trim() : null;
            var exit = await session.DriveAsync(run, (_, c) => host.Runtime.CancelAsync(run, why, User(environment), c), ct).ConfigureAwait(false);
            var after = await host.Runtime.GetRunAsync(run, ct).ConfigureAwait(false);
            return after?.Status == RunStatus.Cancelled ? ExitCodes.Success : exit;
        });
    }

    private static Argument<string> RunIdArgument() => new("run-id") { Description = "The run (see `companyos runs`)." };

    private static string? User(CliEnvironment environment) => environment.Variables("USER") ?? environment.Variables("USERNAME");

    private static void RequireText(string? value, string message)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new CliUsageException(message);
        }
    }

    /// <summary>Wires the shared options; <paramref name="precheck"/> validates the arguments before anything is started.</summary>
    private static Command WithAction(
        Command command,
        CliEnvironment environment,
        Argument<string> runId,
        Action<ParseResult> precheck,
        Func<ParseResult, string, Hosting.AgentHost, RunSession, CancellationToken, Task<int>> action)
    {
        var shared = new AgentCommandOptions();
        shared.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandBoundary.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            RunLookup.CheckRunId(parse.GetValue(runId));
            precheck(parse);
            var settings = shared.Read(parse);
            var database = Hosting.CompanyOsPaths.ResolveDatabase(settings.Database, environment);
            Hosting.EventStoreFile.RejectDirectory(database);
            var run = await RunLookup.ExpandAsync(database, parse.GetValue(runId)!, cancellationToken).ConfigureAwait(false);
            return await AgentCommandRunner.RunAsync(
                settings,
                environment,
                parse.InvocationConfiguration.Output,
                parse.InvocationConfiguration.Error,
                overrides: null,
                requireDatabase: true,
                (host, session) => action(parse, run, host, session, cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }
}
