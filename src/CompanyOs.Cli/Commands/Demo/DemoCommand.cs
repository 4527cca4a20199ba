using System.CommandLine;
using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Runtime;
using CompanyOs.Cli.Commands.Runs;
using CompanyOs.Cli.Hosting;
using CompanyOs.Cli.Runs;
using Spectre.Console;

namespace CompanyOs.Cli.Commands.Demo;

/// <summary>
/// <c>companyos demo</c>: one supervised implementer run that shows the real machinery — parallel tool calls, code in the
/// sandbox behind an approval, streamed text, the stored trace and its cost. Offline the model is the emulator's,
/// playing <see cref="DemoScenario"/>; with API keys set the same task goes to the real providers.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var yes = new Option<bool>("--yes", "-y") { Description = "Approve the tool call that needs approval without asking." };
        var shared = new AgentCommandOptions();
        var command = new Command(
            "demo",
            "Show what CompanyOS does in under a minute: a durable agent run with parallel tools, sandboxed code behind an approval, streamed text, its trace and cost. Offline (no API key) the model is the built-in emulator, labelled EMULATED.")
        {
            yes, shared.Database, shared.Config, shared.Interactive, shared.Emulator, shared.Verbose,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var settings = new AgentCommandSettings(
                parse.GetValue(shared.Database), parse.GetValue(shared.Config), Json: false, NoInput: false, parse.GetValue(shared.Interactive),
                parse.GetValue(shared.Emulator), AllowMissingTools: false, AutoApprove: parse.GetValue(yes))
            {
                Verbose = parse.GetValue(shared.Verbose),
                OwnEmulatedBanner = true,
            };
            var output = parse.InvocationConfiguration.Output;
            var overrides = new AgentOverrides(DemoScenario.Agent, AutonomyLevel.Supervised, null);
            return AgentCommandRunner.RunAsync(
                settings,
                environment,
                output,
                parse.InvocationConfiguration.Error,
                overrides,
                requireDatabase: false,
                async (host, session) =>
                {
                    var console = CliConsole.Create(output, environment);
                    var scenario = await DemoScenario.PrepareAsync(host).ConfigureAwait(false);
                    WriteIntroduction(console, host, scenario);
                    if (host.EmulatorScript is { } script)
                    {
                        scenario.Script(script);
                    }

                    var request = new AgentRunRequest { AgentType = DemoScenario.Agent, Task = scenario.Task, RunId = $"run_{Guid.NewGuid():N}" };
                    var exit = await session.DriveAsync(
                        request.RunId, (onStep, ct) => host.Runtime.RunAsync(request, onStep, ct), cancellationToken).ConfigureAwait(false);
                    if (exit != ExitCodes.Interrupted)
                    {
                        await using var reader = await RunReader.OpenAsync(host.Paths.Database, cancellationToken).ConfigureAwait(false);
                        var (state, steps) = await reader.ReadAsync(request.RunId, cancellationToken).ConfigureAwait(false);
                        DemoReport.Write(console, state, steps, new RunOutputSettings(host.Emulated, host.Paths.Database, host.Paths.LlmConfig));
                        WriteClosing(console, host);
                    }

                    return exit;
                },
                cancellationToken);
        });
        return command;
    }

    private static void WriteIntroduction(IAnsiConsole console, AgentHost host, DemoScenario scenario)
    {
        console.MarkupLine("[bold]CompanyOS demo[/]: a supervised implementer run — two tool calls in parallel, code in the bubblewrap sandbox behind an approval, the model's text as it streams, then the stored trace and its cost.");
        if (host.Emulated.Count > 0)
        {
            console.MarkupLine(
                $"[bold yellow]EMULATED[/] ({Markup.Escape(host.EmulatedReason ?? "no API key")}): {Markup.Escape(string.Join(", ", host.Emulated))} answered by the built-in emulator's scripted model, not a real model; the gateway, tools, sandbox, approvals and event store are the real ones.");
        }

        if (scenario.SandboxSkipped is { } why)
        {
            console.WriteLine($"note: execute_code skipped ({why}); the run shows the other steps.");
        }

        console.WriteLine();
    }

    private static void WriteClosing(IAnsiConsole console, AgentHost host)
    {
        console.WriteLine();
        if (host.Emulated.Count > 0)
        {
            console.MarkupLine(
                "[bold yellow]EMULATED[/]: every model answer above came from the built-in emulator. Set ANTHROPIC_API_KEY or OPENAI_API_KEY and run `companyos demo` again for the same task on the real providers.");
        }

        console.WriteLine("Next: companyos run researcher \"Use read_file on README.md\" · companyos runs · companyos --help");
    }
}
