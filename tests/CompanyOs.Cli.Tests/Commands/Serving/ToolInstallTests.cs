using System.Diagnostics;
using CompanyOs.Cli.Tests.Commands.Runs;
using static CompanyOs.Cli.Tests.Commands.Serving.Serving;

namespace CompanyOs.Cli.Tests.Commands.Serving;

/// <summary>
/// <c>companyos</c> as an installed .NET tool and its <c>--help</c>: every command listed with its one-line description.
/// The install packs the already built CLI (<c>--no-build</c>, the tests' configuration: scripts/test.sh builds first) and installs it from
/// that folder only (a nuget.config that clears every other source), so it runs offline.
/// </summary>
public sealed class ToolInstallTests : IDisposable
{
    // A hang bound, not a speed check: on a loaded 2-core CI machine `dotnet pack` alone took over 90 s.
    private static readonly TimeSpan StepBound = TimeSpan.FromMinutes(5);

    /// <summary>The configuration these tests were built in, which the CLI was built in too: the one to pack without building.</summary>
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif
    private readonly string _dir = TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Help_lists_every_command_with_its_one_line_description()
    {
        var help = await CliProcess.RunAsync(_dir, StartBound, "--help");

        Assert.Equal(ExitCodes.Success, help.Exit);
        AssertListsEveryCommand(help.Out);
    }

    [Fact]
    public async Task The_packed_tool_installs_from_a_local_folder_and_its_help_runs_from_another_directory()
    {
        var packages = Path.Combine(_dir, "packages");
        var tools = Path.Combine(_dir, "tools");
        var elsewhere = Path.Combine(_dir, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        var config = Path.Combine(_dir, "nuget.config");
        await File.WriteAllTextAsync(config, """
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources><clear /></packageSources>
            </configuration>
            """, Ct);
        var project = Path.Combine(RepoRoot(), "src", "CompanyOs.Cli");

        await RunAsync(_dir, "dotnet", "pack", project, "-c", Configuration, "--no-build", "-o", packages, "-nologo");
        await RunAsync(_dir, "dotnet", "tool", "install", "--tool-path", tools, "--configfile", config, "--add-source", packages, "companyos");
        var help = await RunAsync(elsewhere, Path.Combine(tools, "companyos"), "--help");

        AssertListsEveryCommand(help);
    }

    private static void AssertListsEveryCommand(string help)
    {
        var listed = help[help.IndexOf("Commands:", StringComparison.Ordinal)..].Split('\n').Skip(1).Where(l => l.StartsWith("  ", StringComparison.Ordinal)).ToList();
        foreach (var command in CompanyOsCli.BuildRoot(new CliEnvironment(_ => null, Path.GetTempPath())).Subcommands)
        {
            var line = listed.SingleOrDefault(l => l.TrimStart().Split(' ')[0] == command.Name);
            Assert.True(line is not null, $"'{command.Name}' is not listed in:\n{help}");
            Assert.False(string.IsNullOrWhiteSpace(command.Description), $"'{command.Name}' has no description");
            Assert.EndsWith(command.Description!, line.TrimEnd(), StringComparison.Ordinal);
        }

        foreach (var name in new[] { "serve", "keys", "emulator", "demo", "run" })
        {
            Assert.Contains(listed, l => l.TrimStart().StartsWith(name + " ", StringComparison.Ordinal));
        }
    }

    private static async Task<string> RunAsync(string workingDirectory, string executable, params string[] args)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["COLUMNS"] = "300";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(StepBound);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{executable} {string.Join(' ', args)} did not finish within {StepBound}");
        }

        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"{executable} {string.Join(' ', args)}: exit {process.ExitCode}\n{output}\n{await stderr}");
        return output;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CompanyOs.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }
}
