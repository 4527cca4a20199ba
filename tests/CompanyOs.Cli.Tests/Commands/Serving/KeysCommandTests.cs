using CompanyOs.Cli.Tests.Commands.Runs;
using static CompanyOs.Cli.Tests.Commands.Serving.Serving;

namespace CompanyOs.Cli.Tests.Commands.Serving;

/// <summary><c>companyos keys create|list|revoke</c> over the server's own key command and store.</summary>
public sealed class KeysCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    private string Db => Path.Combine(_cli.WorkingDirectory, "keys.db");

    public void Dispose() => _cli.Dispose();

    private Task<CliResult> Cli(params string[] args) => _cli.Raw(args, cancellationToken: Ct);

    [Fact]
    public async Task A_budget_given_at_creation_is_stored_with_the_key_and_listed()
    {
        var created = await Cli("keys", "create", "--org", "acme", "--budget-usd", "12.5", "--keys-db", "keys.db");
        var listed = await Cli("keys", "list", "--keys-db", Db);

        Assert.True(created.Exit == ExitCodes.Success, created.All);
        Assert.Contains("budget=$12.5", listed.Out, StringComparison.Ordinal);
        Assert.Contains("spent=$0", listed.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_shows_the_key_once_list_never_shows_it_and_revoke_ends_it()
    {
        var created = await Cli("keys", "create", "--org", "acme", "--scopes", "gateway,agents", "--models", "gpt-4o", "--rpm", "60", "--keys-db", "keys.db");
        var key = created.Out.Split(' ', '\n').Single(w => w.StartsWith("cos_", StringComparison.Ordinal) && w.Length > 40);
        var id = created.Out.Split(' ', '\n').First(w => w.StartsWith("key_", StringComparison.Ordinal));
        var listed = await Cli("keys", "list", "--keys-db", Db);
        var revoked = await Cli("keys", "revoke", id, "--keys-db", Db);
        var after = await Cli("keys", "list", "--keys-db", Db);

        Assert.True(created.Exit == ExitCodes.Success, created.All);
        Assert.Contains("key (shown once, store it now): cos_", created.Out, StringComparison.Ordinal);
        Assert.Contains("for org 'acme' with scopes gateway,agents, models gpt-4o, rpm 60", created.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Db), "a relative --keys-db is the working directory's");
        Assert.Equal(ExitCodes.Success, listed.Exit);
        Assert.Contains($"{id}  cos_", listed.Out, StringComparison.Ordinal);
        Assert.Contains("org=acme  scopes=gateway,agents  models=gpt-4o  rpm=60  budget=-  spent=$0  active", listed.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listed.All, StringComparison.Ordinal);
        Assert.DoesNotContain(key[4..20], listed.All, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, revoked.Exit);
        Assert.Equal($"revoked {id}", revoked.Out.Trim());
        Assert.Contains($"{id}  cos_", after.Out, StringComparison.Ordinal);
        Assert.Contains("  revoked ", after.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "keys", "create", "--keys-db", "{db}" }, "error: Option '--org' is required.")]
    [InlineData(new[] { "keys", "create", "--org", "acme" }, "error: Option '--keys-db' is required.")]
    [InlineData(new[] { "keys", "list" }, "error: Option '--keys-db' is required.")]
    [InlineData(new[] { "keys", "revoke", "--keys-db", "{db}" }, "error: Required argument missing for command: 'revoke'.")]
    [InlineData(new[] { "keys", "create", "--org", "acme", "--rpm", "abc", "--keys-db", "{db}" }, "error: --rpm must be a whole number of at least 1, got 'abc'.")]
    [InlineData(new[] { "keys", "create", "--org", "acme", "--scopes", "root", "--keys-db", "{db}" }, "error: keys create: --scopes: Scopes must be some of gateway, agents, admin; got 'root'.")]
    [InlineData(new[] { "keys", "revoke", "key_nope", "--keys-db", "{db}" }, "error: keys revoke: no active key with id 'key_nope'")]
    [InlineData(new[] { "keys", "list", "--keys-db", "{dir}" }, "error: --keys-db '{dir}' is a directory; give the database file, e.g. --keys-db {dir}/keys.db")]
    [InlineData(new[] { "keys", "rotate" }, "error: Unrecognized command or argument 'rotate'.")]
    public async Task Bad_arguments_are_exit_2_with_a_message_naming_what_is_wrong(string[] args, string message)
    {
        string Fill(string s) => s.Replace("{db}", Db, StringComparison.Ordinal).Replace("{dir}", _cli.WorkingDirectory, StringComparison.Ordinal);

        var result = await Cli([.. args.Select(Fill)]);

        Assert.True(result.Exit == ExitCodes.BadInput, result.All);
        Assert.StartsWith("error: ", result.Err, StringComparison.Ordinal);
        Assert.Contains(Fill(message), result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("cos_", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_database_that_cannot_be_opened_is_exit_1_naming_the_file()
    {
        var path = Path.Combine(_cli.WorkingDirectory, "no-such-dir", "keys.db");

        var result = await Cli("keys", "list", "--keys-db", path);

        Assert.Equal(ExitCodes.ProviderFailed, result.Exit);
        Assert.StartsWith("error: keys: ", result.Err, StringComparison.Ordinal);
        Assert.Contains($"cannot open the key store (SQLite file '{path}')", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task As_a_process_create_prints_the_key_once_and_list_does_not()
    {
        var created = await CliProcess.RunAsync(_cli.WorkingDirectory, StartBound, "keys", "create", "--org", "acme", "--keys-db", "keys.db");
        var listed = await CliProcess.RunAsync(_cli.WorkingDirectory, StartBound, "keys", "list", "--keys-db", "keys.db");
        var bad = await CliProcess.RunAsync(_cli.WorkingDirectory, StartBound, "keys", "create", "--org", "acme", "--rpm", "-1", "--keys-db", "keys.db");

        Assert.True(created.Exit == ExitCodes.Success, created.All);
        var key = created.Out.Split(' ', '\n').Single(w => w.StartsWith("cos_", StringComparison.Ordinal) && w.Length > 40).Trim();
        Assert.Equal(ExitCodes.Success, listed.Exit);
        Assert.Contains("org=acme", listed.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listed.All, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, bad.Exit);
        Assert.Equal("error: --rpm must be a whole number of at least 1, got '-1'.\nSee: companyos keys create --help", bad.Err.Trim().ReplaceLineEndings("\n"));
    }
}
