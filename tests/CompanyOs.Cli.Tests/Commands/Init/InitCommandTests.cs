using CompanyOs.Cli.Tests.Commands.Runs;

namespace CompanyOs.Cli.Tests.Commands.Init;

/// <summary><c>companyos init</c>: the starter files are the repository's own, valid as written, and never overwritten silently.</summary>
public sealed class InitCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Project => Path.Combine(_cli.WorkingDirectory, "my-project");

    private async Task<CliResult> In(string directory, Func<string, string?> variables, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CompanyOsCli.RunAsync(args, new CliEnvironment(variables, directory), output, error, Ct);
        return new CliResult(exit, output.ToString(), error.ToString());
    }

    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CompanyOs.sln")))
            {
                return Path.Combine(dir.FullName, relative);
            }
        }

        throw new InvalidOperationException("repository root not found");
    }

    [Fact]
    public async Task Init_writes_the_repositorys_starter_files_and_says_which()
    {
        var init = await In(_cli.WorkingDirectory, _ => null, "init", "my-project");

        Assert.True(init.Exit == ExitCodes.Success, init.All);
        string[] expected =
        [
            "config/llm.yaml", "config/tools.yaml", "config/agents/researcher.yaml", "config/agents/implementer.yaml", "config/agents/architect.yaml",
            "prompts/researcher/persona.yaml", "prompts/researcher/literature_review.yaml", "prompts/implementer/code_generation.yaml",
        ];
        foreach (var file in expected)
        {
            Assert.Contains($"wrote {file}\n", init.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
            Assert.Equal(await File.ReadAllTextAsync(RepoFile(file), Ct), await File.ReadAllTextAsync(Path.Combine(Project, file), Ct));
        }

        Assert.Equal(
            Directory.GetFiles(RepoFile("prompts"), "*.yaml", SearchOption.AllDirectories).Length,
            Directory.GetFiles(Path.Combine(Project, "prompts"), "*.yaml", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task The_starter_files_are_accepted_by_doctor_prompts_lint_and_run()
    {
        Assert.True((await In(_cli.WorkingDirectory, _ => null, "init", Project)).Exit == ExitCodes.Success);
        await File.WriteAllTextAsync(Path.Combine(Project, "README.md"), "# My project\nIt sells hats.\n", Ct);
        static string? Keys(string name) => name.EndsWith("_API_KEY", StringComparison.Ordinal) ? "sk-set" : null;

        var lint = await In(Project, _ => null, "prompts", "lint");
        var doctor = await In(Project, Keys, "doctor", "--offline");
        var help = await In(Project, _ => null, "run", "--help");
        var run = await In(Project, _ => null, "run", "researcher", "Use read_file on README.md");

        Assert.True(lint.Exit == ExitCodes.Success, lint.All);
        Assert.Contains("0 error(s), 0 warning(s)", lint.Out, StringComparison.Ordinal);
        Assert.True(doctor.Exit == ExitCodes.Success, doctor.All);
        Assert.Contains($"config: {Path.Combine(Project, "config", "llm.yaml")} (the working directory)", doctor.Out, StringComparison.Ordinal);
        Assert.Contains($"database: {Path.Combine(Project, ".companyos", "companyos.db")} (the project folder", doctor.Out, StringComparison.Ordinal);
        Assert.True(help.Exit == ExitCodes.Success, help.All);
        Assert.Contains("--task-file", help.Out, StringComparison.Ordinal);
        Assert.True(run.Exit == ExitCodes.Success, run.All);
        Assert.Contains("read_file returned \"# My project It sells hats.\"", run.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Project, ".companyos", "companyos.db")), "the run is stored in the project");
    }

    [Fact]
    public async Task Existing_files_are_not_overwritten_without_force_and_nothing_is_written()
    {
        Directory.CreateDirectory(Path.Combine(Project, "config"));
        var mine = Path.Combine(Project, "config", "llm.yaml");
        await File.WriteAllTextAsync(mine, "# mine\n", Ct);

        var refused = await In(_cli.WorkingDirectory, _ => null, "init", Project);

        Assert.Equal(ExitCodes.BadInput, refused.Exit);
        Assert.StartsWith($"error: {Project} already has config/llm.yaml; nothing was written. Give --force", refused.Err, StringComparison.Ordinal);
        Assert.Equal("# mine\n", await File.ReadAllTextAsync(mine, Ct));
        Assert.False(Directory.Exists(Path.Combine(Project, "prompts")));

        var forced = await In(_cli.WorkingDirectory, _ => null, "init", Project, "--force");

        Assert.True(forced.Exit == ExitCodes.Success, forced.All);
        Assert.Contains("overwrote config/llm.yaml", forced.Out, StringComparison.Ordinal);
        Assert.Contains("wrote config/tools.yaml", forced.Out, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(RepoFile("config/llm.yaml"), Ct), await File.ReadAllTextAsync(mine, Ct));
    }

    [Fact]
    public async Task Init_and_a_run_from_the_new_project_work_as_processes()
    {
        var init = await CliProcess.RunAsync(_cli.WorkingDirectory, TimeSpan.FromSeconds(60), "init", "my-project");
        Assert.True(init.Exit == ExitCodes.Success, init.All);
        await File.WriteAllTextAsync(Path.Combine(Project, "notes.md"), "remember the milk\n", Ct);

        var run = await CliProcess.RunAsync(Project, TimeSpan.FromSeconds(90), "run", "researcher", "Use read_file on notes.md");

        Assert.True(run.Exit == ExitCodes.Success, run.All);
        Assert.Contains("read_file returned \"remember the milk\"", run.Out, StringComparison.Ordinal);
        Assert.Contains("EMULATED", run.Err, StringComparison.Ordinal);
    }
}
