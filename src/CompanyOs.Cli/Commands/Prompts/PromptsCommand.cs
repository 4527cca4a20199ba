using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using CompanyOs.Cli.Commands.Runs;
using CompanyOs.Cli.Errors;
using CompanyOs.Cli.Hosting;
using CompanyOs.Cli.Runs;
using CompanyOs.Prompts;
using CompanyOs.Prompts.Diagnostics;
using CompanyOs.Prompts.Library;
using CompanyOs.Prompts.Linting;

namespace CompanyOs.Cli.Commands.Prompts;

/// <summary>
/// <c>companyos prompts list|show|render|lint</c>: the prompt library the agents use (<c>prompts/</c> next to the config
/// directory, or <c>--dir</c>), read-only.
/// </summary>
internal static class PromptsCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var command = new Command("prompts", "Look at the prompt templates the agents use: list, show, render with variables, lint.");
        command.Subcommands.Add(List(environment));
        command.Subcommands.Add(Show(environment));
        command.Subcommands.Add(Render(environment));
        command.Subcommands.Add(Lint(environment));
        return command;
    }

    private static Command List(CliEnvironment environment)
    {
        var (config, dir, json) = (ConfigOption(), DirectoryOption(), new Option<bool>("--json") { Description = "One JSON array of prompts." });
        var command = new Command("list", "Every prompt: name, versions, variables (optional ones with ?), description.") { config, dir, json };
        command.SetAction((parse, _) => CommandBoundary.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            using var library = Open(parse.GetValue(config), parse.GetValue(dir), environment);
            var output = parse.InvocationConfiguration.Output;
            var prompts = library.List();
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(new JsonArray([.. prompts.Select(p => (JsonNode?)Json(p))]).ToJsonString(RunJson.Options)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            if (prompts.Count == 0)
            {
                await output.WriteLineAsync($"no prompts in {library.Directory}.").ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var width = prompts.Max(p => p.Name.Length);
            foreach (var prompt in prompts)
            {
                var variables = string.Join(", ", prompt.Variables.Select(v => v.Required ? v.Name : v.Name + "?"));
                await output.WriteLineAsync(
                    $"{prompt.Name.PadRight(width)}  {string.Join(", ", prompt.Versions)}  ({variables})  {ShellText.OneLine(prompt.Description ?? string.Empty, 80)}".TrimEnd()).ConfigureAwait(false);
            }

            await output.WriteLineAsync($"{prompts.Count} prompt(s) in {library.Directory}").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Show(CliEnvironment environment)
    {
        var (name, config, dir) = (NameArgument(), ConfigOption(), DirectoryOption());
        var command = new Command("show", "One prompt: versions, description and each variable (type, required, default).") { name, config, dir };
        command.SetAction((parse, _) => CommandBoundary.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            using var library = Open(parse.GetValue(config), parse.GetValue(dir), environment);
            var prompt = Require(library, parse.GetValue(name)!);
            var output = parse.InvocationConfiguration.Output;
            await output.WriteLineAsync($"{prompt.Name} — versions {string.Join(", ", prompt.Versions)} (the latest release is used unless --version pins one)").ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(prompt.Description))
            {
                await output.WriteLineAsync(prompt.Description.Trim()).ConfigureAwait(false);
            }

            await output.WriteLineAsync(prompt.Variables.Count == 0 ? "variables: none" : "variables:").ConfigureAwait(false);
            foreach (var v in prompt.Variables)
            {
                var dflt = v.Default is null ? string.Empty : $", default {Convert.ToString(v.Default, CultureInfo.InvariantCulture)}";
                var what = string.IsNullOrWhiteSpace(v.Description) ? string.Empty : $" — {v.Description.Trim()}";
                await output.WriteLineAsync($"  {v.Name} ({v.Type}, {(v.Required ? "required" : "optional")}{dflt}){what}").ConfigureAwait(false);
            }

            await output.WriteLineAsync($"render: companyos prompts render {prompt.Name}{string.Concat(prompt.Variables.Where(v => v.Required).Select(v => $" --var {v.Name}=…"))}").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Render(CliEnvironment environment)
    {
        var (name, config, dir) = (NameArgument(), ConfigOption(), DirectoryOption());
        var version = new Option<string?>("--version") { Description = "Pin a version (default: the latest release)." };
        var variables = new Option<string[]>("--var") { Description = "A template variable as key=value; repeat for more.", Arity = ArgumentArity.ZeroOrMore };
        var json = new Option<bool>("--json") { Description = "One JSON object: name, version, system, user." };
        var command = new Command("render", "Render a prompt with variables, as the model would get it.") { name, config, dir, version, variables, json };
        command.SetAction((parse, _) => CommandBoundary.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            using var library = Open(parse.GetValue(config), parse.GetValue(dir), environment);
            var prompt = Require(library, parse.GetValue(name)!);
            var values = Typed(prompt, RunInputs.ParseVariables(parse.GetValue(variables) ?? []));
            var rendered = library.Render(prompt.Name, values, parse.GetValue(version));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                var doc = new JsonObject { ["name"] = rendered.Name, ["version"] = rendered.Version, ["system"] = rendered.System, ["user"] = rendered.User };
                await output.WriteLineAsync(doc.ToJsonString(RunJson.Options)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            await output.WriteLineAsync($"# {rendered.Name} {rendered.Version}").ConfigureAwait(false);
            if (rendered.System is { } system)
            {
                await output.WriteLineAsync($"## system\n{system.TrimEnd()}").ConfigureAwait(false);
            }

            if (rendered.User is { } user)
            {
                await output.WriteLineAsync($"## user\n{user.TrimEnd()}").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Lint(CliEnvironment environment)
    {
        var (config, dir) = (ConfigOption(), DirectoryOption());
        var command = new Command("lint", $"Check every prompt file (YAML, versions, variables, Liquid); exit {ExitCodes.BadInput} when any has an error.") { config, dir };
        command.SetAction((parse, _) => CommandBoundary.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            var directory = Directory(parse.GetValue(config), parse.GetValue(dir), environment);
            var diagnostics = new PromptLinter().LintDirectory(directory);
            var output = parse.InvocationConfiguration.Output;
            foreach (var diagnostic in diagnostics)
            {
                await output.WriteLineAsync(diagnostic.ToString()).ConfigureAwait(false);
            }

            var errors = diagnostics.Count(d => d.Severity == PromptDiagnosticSeverity.Error);
            await output.WriteLineAsync($"{directory}: {errors} error(s), {diagnostics.Count - errors} warning(s)").ConfigureAwait(false);
            return errors > 0 ? ExitCodes.BadInput : ExitCodes.Success;
        }));
        return command;
    }

    private static string Directory(string? config, string? dir, CliEnvironment environment)
    {
        var directory = dir is null
            ? CompanyOsPaths.Resolve(config, null, environment).PromptsDirectory
            : Path.GetFullPath(dir, environment.WorkingDirectory);
        return System.IO.Directory.Exists(directory)
            ? directory
            : throw new CliUsageException($"no prompt directory at {directory}; give one with --dir (or -c for the config whose ../prompts/ to use).");
    }

    private static PromptLibrary Open(string? config, string? dir, CliEnvironment environment) =>
        new(new PromptLibraryOptions { Directory = Directory(config, dir, environment) });

    private static PromptInfo Require(PromptLibrary library, string name) =>
        library.Find(name) ?? throw new CliUsageException(
            $"unknown prompt '{name}' in {library.Directory}; known: {string.Join(", ", library.List().Select(p => p.Name))}.");

    // --var values are text; a variable declared as a number or boolean gets one, or a clear error.
    private static Dictionary<string, object?> Typed(PromptInfo prompt, Dictionary<string, object?> values)
    {
        foreach (var variable in prompt.Variables)
        {
            if (!values.TryGetValue(variable.Name, out var raw) || raw is not string text)
            {
                continue;
            }

            values[variable.Name] = variable.Type switch
            {
                "number" or "integer" => decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var number)
                    ? number
                    : throw new CliUsageException($"--var {variable.Name}='{text}': {prompt.Name} declares it as a {variable.Type}."),
                "boolean" or "bool" => bool.TryParse(text, out var flag)
                    ? flag
                    : throw new CliUsageException($"--var {variable.Name}='{text}': {prompt.Name} declares it as a boolean (true or false)."),
                _ => text,
            };
        }

        return values;
    }

    private static JsonObject Json(PromptInfo prompt) => new()
    {
        ["name"] = prompt.Name,
        ["versions"] = new JsonArray([.. prompt.Versions.Select(v => (JsonNode?)v)]),
        ["description"] = prompt.Description,
        ["variables"] = new JsonArray([.. prompt.Variables.Select(v => (JsonNode?)new JsonObject
        {
            ["name"] = v.Name,
            ["type"] = v.Type,
            ["required"] = v.Required,
            ["default"] = v.Default is null ? null : JsonValue.Create(Convert.ToString(v.Default, CultureInfo.InvariantCulture)),
            ["description"] = v.Description,
        })]),
    };

    private static Argument<string> NameArgument() => new("name") { Description = "The prompt, as `prompts list` shows it (e.g. researcher/literature_review)." };

    private static Option<string?> ConfigOption() => new("--config", "-c")
    {
        Description = $"LLM configuration (default: {ConfigFileLocator.DefaultPath}); the prompts are ../prompts/ next to its directory.",
    };

    private static Option<string?> DirectoryOption() => new("--dir") { Description = "The prompt directory (instead of the one next to the configuration)." };
}
