using System.Diagnostics;
using CompanyOs.Cli.Tests.Commands.Runs;

namespace CompanyOs.Cli.Tests.Commands.Completion;

/// <summary>
/// <c>companyos completion bash</c>: the printed script, sourced in a real bash with <c>COMP_WORDS</c> set as bash sets them,
/// completes from the built <c>companyos</c> (on PATH) through its <c>[suggest]</c> directive.
/// </summary>
public sealed class CompletionCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Sources the script printed by <c>completion bash</c> and completes <paramref name="words"/> (the last one is the word at the cursor).</summary>
    private async Task<string[]> CompleteAsync(params string[] words)
    {
        var script = Path.Combine(_cli.WorkingDirectory, "companyos.bash");
        using (var output = new StringWriter())
        {
            Assert.Equal(ExitCodes.Success, await CompanyOsCli.RunAsync(["completion", "bash"], new CliEnvironment(_ => null, _cli.WorkingDirectory), output, TextWriter.Null, Ct));
            await File.WriteAllTextAsync(script, output.ToString(), Ct);
        }

        var quoted = string.Join(' ', words.Select(w => $"'{w}'"));
        var start = new ProcessStartInfo("/bin/bash")
        {
            WorkingDirectory = _cli.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--noprofile", "--norc", "-c", $"source '{script}'; COMP_WORDS=(companyos {quoted}); COMP_CWORD={words.Length}; _companyos_complete; printf '%s\\n' \"${{COMPREPLY[@]}}\"" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["PATH"] = AppContext.BaseDirectory + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        start.Environment.Remove("ANTHROPIC_API_KEY");
        start.Environment.Remove("OPENAI_API_KEY");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(process.ExitCode == 0, await stderr);
        return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task Bash_completes_pr_to_prompts()
    {
        Assert.Equal(["prompts"], await CompleteAsync("pr"));
    }

    [Fact]
    public async Task Bash_completes_subcommands_options_and_agent_names()
    {
        Assert.Equal(["lint", "list"], await CompleteAsync("prompts", "li"));
        Assert.Equal(["--autonomy"], await CompleteAsync("run", "researcher", "--au"));
        Assert.Equal(["supervised"], await CompleteAsync("run", "researcher", "--autonomy", "su"));
        Assert.Equal(["researcher"], await CompleteAsync("run", "re"));
        var all = await CompleteAsync("run", string.Empty);
        Assert.Contains("implementer", all);
        Assert.Contains("--task-file", all);
        Assert.DoesNotContain("/?", all);
    }

    [Fact]
    public async Task An_unknown_shell_is_refused_naming_the_ones_supported()
    {
        using var error = new StringWriter();
        var exit = await CompanyOsCli.RunAsync(["completion", "powershell"], new CliEnvironment(_ => null, _cli.WorkingDirectory), TextWriter.Null, error, Ct);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.StartsWith("error: Argument 'powershell' not recognized. Must be one of:", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(["'bash'", "'zsh'", "'fish'"], error.ToString().Split('\n').Where(l => l.StartsWith('\t')).Select(l => l.Trim()));
    }
}
