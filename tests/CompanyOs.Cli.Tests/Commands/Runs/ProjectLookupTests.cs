using System.Text.Json;

namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary>The default store is found like the configuration: upwards, so every folder of a project uses one database; --verbose says which.</summary>
public sealed class ProjectLookupTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private async Task<CliResult> From(string directory, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CompanyOsCli.RunAsync(args, new CliEnvironment(_ => null, directory), output, error, TestContext.Current.CancellationToken);
        return new CliResult(exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task A_run_from_a_subfolder_uses_the_projects_store_and_runs_finds_it_from_another()
    {
        _cli.CopyConfiguration();
        var deeper = Directory.CreateDirectory(Path.Combine(_cli.WorkingDirectory, "src", "deeper")).FullName;
        var other = Directory.CreateDirectory(Path.Combine(_cli.WorkingDirectory, "docs")).FullName;

        var run = await From(deeper, "run", "researcher", "Use read_file on README.md", "--verbose");
        var listed = await From(other, "runs", "--json");

        Assert.True(run.Exit == ExitCodes.Success, run.All);
        var store = Path.Combine(_cli.WorkingDirectory, ".companyos", "companyos.db");
        Assert.True(File.Exists(store), "the store is in the project folder");
        Assert.False(Directory.Exists(Path.Combine(deeper, ".companyos")), "not in the subfolder the command ran from");
        Assert.Contains($"config: {Path.Combine(_cli.WorkingDirectory, "config", "llm.yaml")} (agents: ", run.Err, StringComparison.Ordinal);
        Assert.Contains($"database: {store}", run.Err, StringComparison.Ordinal);
        Assert.Equal(run.RunId, JsonDocument.Parse(listed.Out).RootElement.EnumerateArray().Single().GetProperty("run_id").GetString());
    }

    [Fact]
    public async Task An_existing_companyos_folder_up_the_tree_is_the_store_even_without_a_config_there()
    {
        Directory.CreateDirectory(Path.Combine(_cli.WorkingDirectory, ".companyos"));
        var deeper = Directory.CreateDirectory(Path.Combine(_cli.WorkingDirectory, "a", "b")).FullName;

        var run = await From(deeper, "run", "architect", "Sketch a cache");

        Assert.True(run.Exit == ExitCodes.Success, run.All);
        Assert.True(File.Exists(Path.Combine(_cli.WorkingDirectory, ".companyos", "companyos.db")), run.All);
    }
}
