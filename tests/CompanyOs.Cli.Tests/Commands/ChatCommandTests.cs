using System.Text.Json;

namespace CompanyOs.Cli.Tests.Commands;

/// <summary>Runs <c>companyos chat</c> in-process with no API keys, so every provider is answered by the emulator.</summary>
public class ChatCommandTests
{
    private static readonly string RepoRoot = FindRepoRoot();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int Exit, string Out, string Err)> Run(Func<string, string?> env, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CompanyOsCli.RunAsync(args, new CliEnvironment(env, RepoRoot), output, error, Ct);
        return (exit, output.ToString(), error.ToString());
    }

    private static string? NoKeys(string name) => null;

    [Fact]
    public async Task Chat_without_keys_answers_from_the_emulator_and_says_so()
    {
        var (exit, stdout, stderr) = await Run(NoKeys, "chat", "Explain event sourcing in two sentences");

        Assert.True(exit == 0, stderr);
        Assert.Contains("Explain event sourcing in two sentences", stdout, StringComparison.Ordinal);
        Assert.Contains("EMULATED: ANTHROPIC_API_KEY is not set", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("EMULATED", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("openai", "gpt-4o")]
    [InlineData("anthropic", "claude-3-5-sonnet-20241022")]
    public async Task Json_output_reports_provider_resolved_model_and_usage(string provider, string model)
    {
        var (exit, stdout, stderr) = await Run(NoKeys, "chat", "hello", "--provider", provider, "--json", "--stream");

        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(provider, doc.RootElement.GetProperty("provider").GetString());
        Assert.Equal(model, doc.RootElement.GetProperty("model").GetString());
        Assert.True(doc.RootElement.GetProperty("emulated").GetBoolean());
        Assert.Equal("stop", doc.RootElement.GetProperty("finish_reason").GetString());
        Assert.True(doc.RootElement.GetProperty("usage").GetProperty("input_tokens").GetInt64() > 0);
        Assert.False(string.IsNullOrWhiteSpace(doc.RootElement.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Forced_emulator_is_used_even_with_a_key()
    {
        var (exit, stdout, stderr) = await Run(n => n == "OPENAI_API_KEY" ? "sk-real-looking-key" : null, "chat", "hi", "-p", "openai", "--emulator", "--stream");

        Assert.True(exit == 0, stderr);
        Assert.Contains("EMULATED: --emulator was given", stderr, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(stdout));
        Assert.DoesNotContain("sk-real-looking-key", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_config_is_reported_with_file_and_key()
    {
        var path = Path.Combine(Path.GetTempPath(), $"companyos-cli-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, "providers:\n  openai:\n    default_model: gpt-4o\n    rate_limit_rpm: -5\n", Ct);
        try
        {
            var (exit, _, stderr) = await Run(NoKeys, "chat", "hi", "--config", path);

            Assert.Equal(ExitCodes.BadInput, exit);
            Assert.Contains(path, stderr, StringComparison.Ordinal);
            Assert.Contains("providers.openai.rate_limit_rpm", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Disabled_provider_is_refused()
    {
        var (exit, _, stderr) = await Run(NoKeys, "chat", "hi", "--provider", "ollama");

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("provider 'ollama' is disabled", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_describes_the_chat_options()
    {
        var (exit, stdout, _) = await Run(NoKeys, "chat", "--help");

        Assert.Equal(0, exit);
        foreach (var option in new[] { "--provider", "--model", "--config", "--stream", "--json", "--emulator" })
        {
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        }
    }

    private static string FindRepoRoot()
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
