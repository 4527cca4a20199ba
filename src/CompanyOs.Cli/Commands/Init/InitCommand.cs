using System.CommandLine;
using CompanyOs.Cli.Errors;
using CompanyOs.Cli.Runs;

namespace CompanyOs.Cli.Commands.Init;

/// <summary>
/// <c>companyos init [DIR]</c>: writes the starter <c>config/</c> (llm.yaml, tools.yaml, agents/) and <c>prompts/</c> — the
/// repository's own files, embedded in the tool — into a project. Existing files are never overwritten without <c>--force</c>.
/// </summary>
internal static class InitCommand
{
    private const string ResourcePrefix = "starter/";

    public static Command Create(CliEnvironment environment)
    {
        var directory = new Argument<string?>("dir") { Description = "The project folder to write into (default: the current directory; created when missing).", Arity = ArgumentArity.ZeroOrOne };
        var force = new Option<bool>("--force") { Description = "Overwrite starter files that already exist." };
        var command = new Command("init", "Write a starter config/ (llm.yaml, tools.yaml, agents/) and prompts/ into a project; existing files are kept unless --force.")
        {
            directory, force,
        };
        command.SetAction((parse, cancellationToken) => CommandBoundary.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            var root = Path.GetFullPath(parse.GetValue(directory) ?? ".", environment.WorkingDirectory);
            if (File.Exists(root))
            {
                throw new CliUsageException($"{root} is a file; give the project folder to write the starter files into.");
            }

            var files = StarterFiles().Select(f => (f.Resource, Target: Path.Combine(root, f.Relative), f.Relative)).ToList();
            var existing = files.Where(f => File.Exists(f.Target) || Directory.Exists(f.Target)).Select(f => f.Relative).ToList();
            if (existing.Count > 0 && !parse.GetValue(force))
            {
                throw new CliUsageException(
                    $"{root} already has {string.Join(", ", existing)}; nothing was written. Give --force to overwrite them, or init another folder.");
            }

            var output = parse.InvocationConfiguration.Output;
            try
            {
                foreach (var (resource, target, relative) in files)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    await using var source = typeof(InitCommand).Assembly.GetManifestResourceStream(resource)!;
                    await using (var file = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None))
                    {
                        await source.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                    }

                    await output.WriteLineAsync($"{(existing.Contains(relative) ? "overwrote" : "wrote")} {relative}").ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliUsageException($"the starter files cannot be written to {root}: {e.Message}", ExitCodes.ProviderFailed);
            }

            await output.WriteLineAsync($"Starter configuration in {root}. Next (from there):").ConfigureAwait(false);
            await output.WriteLineAsync("  companyos doctor                                     # what is set up, and what is missing (API keys)").ConfigureAwait(false);
            await output.WriteLineAsync($"  companyos run researcher {ShellText.Quote("Use read_file on README.md")}   # runs on the built-in emulator until a key is set").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The embedded starter files as (resource name, path relative to the project), in a stable order.</summary>
    private static IEnumerable<(string Resource, string Relative)> StarterFiles() =>
        typeof(InitCommand).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n, n[ResourcePrefix.Length..].Replace('\\', '/').Replace('/', Path.DirectorySeparatorChar)));
}
