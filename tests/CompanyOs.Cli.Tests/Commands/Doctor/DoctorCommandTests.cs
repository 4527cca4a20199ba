using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CompanyOs.Cli.Tests.Commands.Runs;
using CompanyOs.Emulator;

namespace CompanyOs.Cli.Tests.Commands.Doctor;

/// <summary>
/// <c>companyos doctor</c> on real setups: the providers are the emulator on 127.0.0.1 (reachable) or a closed loopback port
/// (dead), the sandbox is the real bubblewrap, the store a real SQLite file.
/// </summary>
public sealed class DoctorCommandTests : IAsyncLifetime, IDisposable
{
    private const string Secret = "sk-doctor-secret-value";
    private readonly CliHarness _cli = new();
    private EmulatorServer _emulator = null!;
    private string _config = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _emulator = await EmulatorServer.StartAsync(new EmulatorOptions(), Ct);
        _config = _cli.CopyConfiguration();
        await WriteConfigAsync(_emulator.BaseUri.ToString(), _emulator.OpenAIEndpoint.ToString(), "gpt-4o");
    }

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    public void Dispose() => _cli.Dispose();

    private Task WriteConfigAsync(string anthropicUrl, string openAiUrl, string openAiModel) => File.WriteAllTextAsync(_config, $"""
        default_provider: anthropic
        providers:
          anthropic:
            enabled: true
            api_key: "${"{"}ANTHROPIC_API_KEY{"}"}"
            base_url: "{anthropicUrl}"
            default_model: "claude-3.5-sonnet"
            fallback_provider: openai
          openai:
            enabled: true
            api_key: "${"{"}OPENAI_API_KEY{"}"}"
            base_url: "{openAiUrl}"
            default_model: "{openAiModel}"
        """, Ct);

    private static string? BothKeys(string name) => name is "ANTHROPIC_API_KEY" or "OPENAI_API_KEY" ? Secret : null;

    private Task<CliResult> Doctor(Func<string, string?> variables, params string[] args) => Cli(variables, ["doctor", .. args]);

    private async Task<CliResult> Cli(Func<string, string?> variables, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(variables, _cli.WorkingDirectory);
        var exit = await CompanyOsCli.RunAsync(args, environment, output, error, Ct);
        return new CliResult(exit, output.ToString(), error.ToString());
    }

    private static List<JsonElement> Findings(CliResult result, string area)
    {
        using var doc = JsonDocument.Parse(result.Out);
        return [.. doc.RootElement.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("area").GetString() == area).Select(f => f.Clone())];
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task A_healthy_setup_is_reported_as_such_and_exits_0_leaving_the_store_intact()
    {
        var run = await Cli(BothKeys, "run", "researcher", "Use read_file on README.md", "--db", _cli.Database, "-c", _config);
        Assert.True(run.Exit == ExitCodes.Success, run.All);
        var before = await _cli.TypesAsync(run.RunId);

        var doctor = await Doctor(BothKeys, "-c", _config, "--db", _cli.Database);

        Assert.True(doctor.Exit == ExitCodes.Success, doctor.All);
        Assert.Contains($"config: {_config} (--config)", doctor.Out, StringComparison.Ordinal);
        Assert.Contains($"database: {_cli.Database} (--db)", doctor.Out, StringComparison.Ordinal);
        Assert.Contains($"database: opened for reading and writing: {_cli.Database}", doctor.Out, StringComparison.Ordinal);
        Assert.Contains("anthropic: ANTHROPIC_API_KEY is set", doctor.Out, StringComparison.Ordinal);
        Assert.Matches($@"openai: {_emulator.OpenAIEndpoint} answered \(HTTP \d+\) in \d+ ms", doctor.Out);
        Assert.Contains("execute_code: bubblewrap ran a test command in ", doctor.Out, StringComparison.Ordinal);
        Assert.Contains("gpt-4o: $2.50/$10.00 per 1M input/output tokens", doctor.Out, StringComparison.Ordinal);
        Assert.Contains("lint: ", doctor.Out, StringComparison.Ordinal);
        Assert.Contains("healthy: no problems found", doctor.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, doctor.All, StringComparison.Ordinal);
        Assert.Equal(before, await _cli.TypesAsync(run.RunId));
    }

    [Fact]
    public async Task A_missing_key_is_a_problem_with_the_fix_and_exits_1()
    {
        var doctor = await Doctor(name => name == "ANTHROPIC_API_KEY" ? Secret : null, "-c", _config, "--db", _cli.Database);

        Assert.Equal(ExitCodes.ProviderFailed, doctor.Exit);
        Assert.Contains("PROBLEM openai: OPENAI_API_KEY is not set", doctor.Out, StringComparison.Ordinal);
        Assert.Contains($"fix: export OPENAI_API_KEY=<your key>, or set enabled: false under providers.openai in {_config}", doctor.Out, StringComparison.Ordinal);
        Assert.Contains("ok      anthropic: ANTHROPIC_API_KEY is set", doctor.Out, StringComparison.Ordinal);
        Assert.Contains("1 problem(s) found", doctor.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, doctor.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_whose_directory_refuses_new_files_is_a_problem_and_nothing_is_created()
    {
        Assert.True(Directory.Exists("/proc"), "a Linux /proc is needed: it refuses new files even for root");

        var doctor = await Doctor(BothKeys, "--json", "-c", _config, "--db", "/proc/companyos-doctor/runs.db");

        Assert.Equal(ExitCodes.ProviderFailed, doctor.Exit);
        var store = Assert.Single(Findings(doctor, "store"));
        Assert.Equal("problem", store.GetProperty("status").GetString());
        Assert.Contains("the directory /proc/companyos-doctor cannot be created: /proc does not accept new files", store.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("give a writable file with --db PATH", store.GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists("/proc/companyos-doctor"));
    }

    [Fact]
    public async Task A_model_without_a_price_is_a_problem_naming_where_it_is_used()
    {
        await WriteConfigAsync(_emulator.BaseUri.ToString(), _emulator.OpenAIEndpoint.ToString(), "my-finetune-7");

        var doctor = await Doctor(BothKeys, "--json", "-c", _config, "--db", _cli.Database);

        Assert.Equal(ExitCodes.ProviderFailed, doctor.Exit);
        var unknown = Assert.Single(Findings(doctor, "prices"), f => f.GetProperty("status").GetString() == "problem");
        Assert.Equal("my-finetune-7", unknown.GetProperty("subject").GetString());
        Assert.Contains("no price known (used by providers.openai.default_model)", unknown.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains($"add it under prices: in {_config}", unknown.GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.All(Findings(doctor, "prices").Where(f => f.GetProperty("subject").GetString() != "my-finetune-7"), f => Assert.Equal("ok", f.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task A_dead_base_url_is_reported_unreachable_with_the_fix_not_an_exception()
    {
        var dead = $"http://127.0.0.1:{ClosedPort()}/";
        await WriteConfigAsync(dead, _emulator.OpenAIEndpoint.ToString(), "gpt-4o");

        var doctor = await Doctor(BothKeys, "--json", "-c", _config, "--db", _cli.Database);

        Assert.Equal(ExitCodes.ProviderFailed, doctor.Exit);
        Assert.Empty(doctor.Err);
        var providers = Findings(doctor, "providers");
        var anthropic = Assert.Single(providers, f => f.GetProperty("subject").GetString() == "anthropic");
        Assert.Equal("problem", anthropic.GetProperty("status").GetString());
        Assert.Equal($"{dead} is unreachable (connection refused: nothing listens there)", anthropic.GetProperty("detail").GetString());
        Assert.Equal($"start the server at {dead}, or correct providers.anthropic.base_url in {_config} (or set enabled: false)", anthropic.GetProperty("fix").GetString());
        var openai = Assert.Single(providers, f => f.GetProperty("subject").GetString() == "openai");
        Assert.Equal("ok", openai.GetProperty("status").GetString());
        Assert.True(openai.GetProperty("latency_ms").GetDouble() >= 0);
    }

    [Theory]
    [InlineData("run", "researcher", "hi")]
    [InlineData("chat", "hi")]
    public async Task A_provider_with_its_own_base_url_but_no_key_is_a_clear_error_not_a_stack_trace(params string[] args)
    {
        var result = await Cli(name => name == "OPENAI_API_KEY" ? Secret : null, [.. args, "-c", _config, .. args[0] == "run" ? new[] { "--db", _cli.Database } : []]);

        Assert.Equal(ExitCodes.BadInput, result.Exit);
        Assert.StartsWith(
            $"error: {_config}: providers.anthropic.api_key: ANTHROPIC_API_KEY is not set, and a provider with its own base_url ({_emulator.BaseUri}) is not emulated: export ANTHROPIC_API_KEY, or remove base_url",
            result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_prompt_with_an_error_is_a_problem_reported_as_prompts_lint_reports_it()
    {
        var broken = Path.Combine(_cli.WorkingDirectory, "prompts", "researcher", "broken.yaml");
        await File.WriteAllTextAsync(broken, "version: \"1.0\"\nuser: \"{{ topic \"\n", Ct);

        var doctor = await Doctor(BothKeys, "--json", "--offline", "-c", _config, "--db", _cli.Database);

        Assert.Equal(ExitCodes.ProviderFailed, doctor.Exit);
        var problem = Assert.Single(Findings(doctor, "prompts"));
        Assert.Equal("problem", problem.GetProperty("status").GetString());
        Assert.Equal(broken, problem.GetProperty("subject").GetString());
        Assert.Matches(@": error PR\d{4}: ", problem.GetProperty("detail").GetString());
        Assert.StartsWith("correct the prompt file named", problem.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_found_by_searching_upwards_and_the_db_variable_are_named_with_their_rule()
    {
        var sub = Path.Combine(_cli.WorkingDirectory, "src", "deep");
        Directory.CreateDirectory(sub);
        var db = Path.Combine(_cli.WorkingDirectory, "from-env.db");
        using var output = new StringWriter();
        var environment = new CliEnvironment(name => name == "COMPANYOS_DB" ? db : BothKeys(name), sub);

        await CompanyOsCli.RunAsync(["doctor", "--offline"], environment, output, TextWriter.Null, Ct);

        Assert.Contains($"config: {_config} (searched upwards from the working directory)", output.ToString(), StringComparison.Ordinal);
        Assert.Contains($"database: {db} (COMPANYOS_DB)", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("not probed (--offline)", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_as_a_process_without_keys_exits_1_with_json_naming_the_missing_variables()
    {
        var doctor = await CliProcess.RunAsync(_cli.WorkingDirectory, TimeSpan.FromSeconds(60), "doctor", "--json", "-c", _config, "--db", _cli.Database);

        Assert.Equal(ExitCodes.ProviderFailed, doctor.Exit);
        using var report = JsonDocument.Parse(doctor.Out);
        Assert.False(report.RootElement.GetProperty("healthy").GetBoolean());
        Assert.Equal(2, report.RootElement.GetProperty("problems").GetInt32());
        var keys = Findings(doctor, "keys");
        Assert.Equal(["ANTHROPIC_API_KEY is not set", "OPENAI_API_KEY is not set"], keys.Select(k => k.GetProperty("detail").GetString()![..(k.GetProperty("detail").GetString()!.IndexOf(';', StringComparison.Ordinal))]));
    }
}
