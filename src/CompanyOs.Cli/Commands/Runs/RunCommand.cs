using System.CommandLine;
using CompanyOs.Agents.Runtime;
using CompanyOs.Cli.Hosting;

namespace CompanyOs.Cli.Commands.Runs;

/// <summary><c>companyos run &lt;agent&gt; "&lt;task&gt;"</c>: starts a durable agent run and shows its steps live, with inline approvals.</summary>
internal static class RunCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var agent = new Argument<string>("agent") { Description = "Agent type from config/agents/*.yaml (e.g. researcher, architect, implementer)." };
        agent.CompletionSources.Add(_ => AgentTypes(environment));
        var task = new Argument<string?>("task") { Description = "What the agent should do (or use --task-file).", Arity = ArgumentArity.ZeroOrOne };
        var taskFile = new Option<string?>("--task-file") { Description = "Read the task from this file (- for stdin) instead of the argument." };
        var org = new Option<string?>("--org") { Description = "Organisation the run belongs to (used by `runs --org`)." };
        var autonomy = new Option<string?>("--autonomy") { Description = "Override the agent's autonomy: manual (every tool call waits), supervised (high-risk tools wait) or autonomous." };
        autonomy.CompletionSources.Add("manual", "supervised", "autonomous");
        var maxIterations = new Option<int?>("--max-iterations")
        {
            Description = "Override the agent's max_iterations (1-1000).",
            CustomParser = RunInputs.ParseMaxIterations,
        };
        var capability = new Option<string?>("--capability")
        {
            Description = "Run one of the agent's capabilities (capabilities: in its definition): its prompt template, rendered with --var, is the task.",
        };
        var variables = new Option<string[]>("--var")
        {
            Description = "A template variable (of the capability's prompt or the persona) as key=value; repeat for more.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var shared = new AgentCommandOptions();
        var command = new Command("run", "Run an agent on a task, showing each step live; approvals and questions are asked inline (or listed with --no-input).")
        {
            agent, task, taskFile, org, autonomy, maxIterations, capability, variables,
        };
        shared.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var settings = shared.Read(parse);
            var error = parse.InvocationConfiguration.Error;
            return Errors.CommandBoundary.RunAsync(error, async () =>
            {
                var agentType = parse.GetValue(agent)!;
                var capabilityName = parse.GetValue(capability);
                // With a capability the task is optional: its template is the task (a given one fills the template's task variable).
                var taskText = capabilityName is not null && parse.GetValue(task) is null && parse.GetValue(taskFile) is null
                    ? string.Empty
                    : RunInputs.CheckTask(await Commands.TaskText.ReadAsync(parse.GetValue(task), parse.GetValue(taskFile), "task", "--task-file", environment, cancellationToken).ConfigureAwait(false));
                var overrides = new AgentOverrides(agentType, RunInputs.ParseAutonomy(parse.GetValue(autonomy)), RunInputs.CheckMaxIterations(parse.GetValue(maxIterations)));
                var request = new AgentRunRequest
                {
                    AgentType = agentType,
                    Task = taskText,
                    Capability = RunInputs.CheckCapability(capabilityName),
                    OrgId = parse.GetValue(org),
                    RunId = $"run_{Guid.NewGuid():N}",
                    Variables = RunInputs.ParseVariables(parse.GetValue(variables) ?? []),
                };
                return await AgentCommandRunner.RunAsync(
                    settings,
                    environment,
                    parse.InvocationConfiguration.Output,
                    error,
                    overrides,
                    requireDatabase: false,
                    async (host, session) =>
                    {
                        await session.WriteNoticesAsync().ConfigureAwait(false);
                        await RunInputs.WarnAboutUnavailableToolsAsync(host, agentType, error).ConfigureAwait(false);
                        return await session.DriveAsync(
                            request.RunId!, (onStep, ct) => host.Runtime.RunAsync(request, onStep, ct), cancellationToken).ConfigureAwait(false);
                    },
                    cancellationToken).ConfigureAwait(false);
            });
        });
        return command;
    }

    /// <summary>The agent types of the configuration found from here, for shell completion; none when it cannot be read.</summary>
    private static IEnumerable<string> AgentTypes(CliEnvironment environment)
    {
        try
        {
            var agents = CompanyOsPaths.Resolve(null, null, environment).AgentsDirectory;
            return Directory.Exists(agents) ? CompanyOs.Agents.Definitions.AgentDefinitionLoader.LoadDirectory(agents, environment.Variables).Keys.Order(StringComparer.Ordinal) : [];
        }
        catch (ConfigurationException)
        {
            return [];
        }
    }
}
