namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary>Bad <c>--db</c> paths and bad values get one line that says what is wrong where (never a stack trace), with the documented exit code.</summary>
public sealed class StorePathAndMessageTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string FileInTheWay()
    {
        var file = Path.Combine(_cli.WorkingDirectory, "plain-file");
        File.WriteAllText(file, "not a directory");
        return file;
    }

    [Fact]
    public async Task A_db_whose_directory_cannot_be_created_is_named_and_exits_1()
    {
        var file = FileInTheWay();
        var db = Path.Combine(file, "sub", "runs.db");

        var run = await _cli.Raw(["run", "researcher", "hi", "--db", db], cancellationToken: Ct);

        Assert.Equal(ExitCodes.ProviderFailed, run.Exit);
        Assert.Equal(
            $"error: the event store {db} cannot be used: {file} is a file, so the directory {Path.GetDirectoryName(db)} cannot be created.",
            run.Err.Trim());
        Assert.Empty(run.Out);
    }

    [Fact]
    public async Task A_db_in_a_directory_that_refuses_new_files_is_named_and_exits_1()
    {
        Assert.True(Directory.Exists("/proc"), "a Linux /proc is needed: it refuses new files even for root");

        var run = await _cli.Raw(["run", "researcher", "hi", "--db", "/proc/companyos-test.db"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.ProviderFailed, run.Exit);
        Assert.StartsWith("error: the event store /proc/companyos-test.db cannot be used: /proc/companyos-test.db cannot be created: /proc does not accept new files", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_db_whose_directory_cannot_be_created_is_named_as_a_process()
    {
        var db = Path.Combine(FileInTheWay(), "sub", "runs.db");

        var run = await CliProcess.RunAsync(_cli.WorkingDirectory, TimeSpan.FromSeconds(60), "run", "researcher", "hi", "--db", db);

        Assert.Equal(ExitCodes.ProviderFailed, run.Exit);
        Assert.StartsWith($"error: the event store {db} cannot be used: ", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", run.All, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("runs")]
    [InlineData("trace", "run_x")]
    [InlineData("runs", "show", "run_x")]
    [InlineData("approve", "run_x", "call_x")]
    [InlineData("resume", "run_x")]
    [InlineData("run", "researcher", "hi")]
    public async Task A_directory_given_as_db_is_called_a_directory_and_exits_2(params string[] args)
    {
        var directory = Path.Combine(_cli.WorkingDirectory, "state");
        Directory.CreateDirectory(directory);

        var result = await _cli.Raw([.. args, "--db", directory], cancellationToken: Ct);

        Assert.Equal(ExitCodes.BadInput, result.Exit);
        Assert.Contains($"error: the event store {directory} is a directory; give the database file, e.g. --db {Path.Combine(directory, "companyos.db")}", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("does not exist", result.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    public async Task Max_iterations_that_is_not_a_whole_number_names_option_and_value(string value)
    {
        var run = await _cli.Cli("run", "researcher", "hi", "--max-iterations", value);

        Assert.Equal(ExitCodes.BadInput, run.Exit);
        Assert.Contains($"error: --max-iterations '{value}' is not a whole number; expected 1 to 1000.", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", run.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("approve", "run_nope", "call_x")]
    [InlineData("reject", "run_nope", "call_x", "--reason", "no")]
    [InlineData("answer", "run_nope", "q_x", "yes")]
    [InlineData("resume", "run_nope")]
    public async Task Usage_errors_print_only_the_error_without_the_EMULATED_banner(params string[] args)
    {
        var started = await _cli.Cli("run", "researcher", "hi", "--json");
        Assert.True(started.Exit == ExitCodes.Success, started.All);

        var refused = await _cli.Cli(args);

        Assert.Equal(ExitCodes.BadInput, refused.Exit);
        Assert.Equal($"error: unknown run 'run_nope' in {_cli.Database}. List runs with: companyos runs", refused.Err.Trim());
    }
}
