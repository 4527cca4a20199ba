using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using CompanyOs.Cli.Errors;
using CompanyOs.Cli.Hosting;
using CompanyOs.Cli.Runs;
using Spectre.Console;

namespace CompanyOs.Cli.Commands.Doctor;

/// <summary>
/// <c>companyos doctor</c>: which files were picked and why, keys present per provider (never their values), store
/// writable, providers reachable, sandbox usable, prices known, prompts clean — each problem with its fix. Exit 0 when
/// healthy, 1 when a problem was found.
/// </summary>
internal static class DoctorCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var config = new Option<string?>("--config", "-c") { Description = $"LLM configuration to check (default: {ConfigFileLocator.DefaultPath}, searched upwards)." };
        var database = new Option<string?>("--db") { Description = $"Event store to check (default: ${CompanyOsPaths.DatabaseVariable}, else {CompanyOsPaths.DefaultDatabase} in the project folder)." };
        var json = new Option<bool>("--json") { Description = "One JSON object: healthy, problems, findings[] (area, subject, status, detail, fix, latency_ms)." };
        var offline = new Option<bool>("--offline") { Description = "Do not probe the providers over the network." };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds each provider probe may take.",
            DefaultValueFactory = _ => 5,
        };
        var command = new Command(
            "doctor",
            $"Check this setup: files picked (and by which rule), API keys, store, providers (reachable, latency), sandbox, prices, prompts. Each problem is printed with its fix; exit {ExitCodes.Success} when healthy, {ExitCodes.ProviderFailed} when a problem is found.")
        {
            config, database, json, offline, timeout,
        };
        command.SetAction((parse, cancellationToken) => CommandBoundary.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            var seconds = parse.GetValue(timeout);
            if (!(seconds is > 0 and <= 120))
            {
                throw new CliUsageException($"--timeout {seconds.ToString(CultureInfo.InvariantCulture)} is out of range; give seconds between 0 and 120.");
            }

            var checks = new DoctorChecks(parse.GetValue(config), parse.GetValue(database), parse.GetValue(offline), TimeSpan.FromSeconds(seconds));
            var findings = await checks.RunAsync(environment, cancellationToken).ConfigureAwait(false);
            var problems = findings.Count(f => f.Status == DoctorStatus.Problem);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                var report = new JsonObject
                {
                    ["healthy"] = problems == 0,
                    ["problems"] = problems,
                    ["findings"] = new JsonArray([.. findings.Select(f => (JsonNode)f.ToJson())]),
                };
                await output.WriteLineAsync(report.ToJsonString(RunJson.Options)).ConfigureAwait(false);
            }
            else
            {
                Write(CliConsole.Create(output, environment), findings, problems);
            }

            return problems == 0 ? ExitCodes.Success : ExitCodes.ProviderFailed;
        }));
        return command;
    }

    private static void Write(IAnsiConsole console, List<DoctorFinding> findings, int problems)
    {
        foreach (var area in findings.GroupBy(f => f.Area))
        {
            console.MarkupLine($"[bold]{Markup.Escape(area.Key)}[/]");
            foreach (var finding in area)
            {
                var (label, colour) = finding.Status switch
                {
                    DoctorStatus.Ok => ("ok", "green"),
                    DoctorStatus.Info => ("note", "grey"),
                    _ => ("PROBLEM", "red"),
                };
                // A lint line already starts with its file.
                var subject = finding.Area == "prompts" && finding.Detail.StartsWith(finding.Subject, StringComparison.Ordinal) ? string.Empty : $"{finding.Subject}: ";
                console.MarkupLine($"  [{colour}]{label,-7}[/] {Markup.Escape(subject + finding.Detail)}");
                if (finding.Fix is { } fix)
                {
                    console.MarkupLine($"          [yellow]fix:[/] {Markup.Escape(fix)}");
                }
            }
        }

        console.WriteLine();
        console.MarkupLine(problems == 0
            ? "[green]healthy: no problems found[/]"
            : $"[red]{problems} problem(s) found[/] (exit {ExitCodes.ProviderFailed}); each is listed above with its fix.");
    }
}
