using CompanyOs.Tools.Registry;
using CompanyOs.Tools.Sandbox;

namespace CompanyOs.Tools.Tests.Sandbox;

public sealed class ExecuteCodeToolTests
{
    private static Task<ToolResult> Call(SandboxOptions options, string json)
    {
        var sandbox = new BubblewrapSandbox(options);
        var invoker = new ToolInvoker(new ToolRegistry([new ExecuteCodeTool(sandbox)]));
        return invoker.InvokeAsync("execute_code", Json.Parse(json), Json.Context, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Runs_code_and_reports_exit_code_stdout_and_stderr()
    {
        var result = await Call(new SandboxOptions { Enabled = true }, """{"language":"python","code":"import sys\nprint(6*7)\nprint('warn', file=sys.stderr)\nsys.exit(3)"}""");

        Assert.False(result.IsError);
        Assert.Equal("exit code: 3\n--- stdout ---\n42\n\n--- stderr ---\nwarn\n", result.Content);
    }

    [Fact]
    public async Task Missing_bubblewrap_means_refusal_and_nothing_runs()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"companyos-unsandboxed-{Guid.NewGuid():N}");
        var options = new SandboxOptions { Enabled = true, BwrapPath = "/nonexistent/bwrap" };

        var result = await Call(options, $$"""{"language":"bash","code":"touch {{marker}}"}""");

        Assert.True(result.IsError);
        Assert.Contains("'/nonexistent/bwrap' is not installed", result.Content, StringComparison.Ordinal);
        Assert.Contains("never run unsandboxed", result.Content, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Broken_bubblewrap_means_refusal()
    {
        // /bin/false stands in for a bwrap that cannot create namespaces: it exits non-zero without running anything.
        var options = new SandboxOptions { Enabled = true, BwrapPath = "/bin/false" };

        var result = await Call(options, """{"language":"python","code":"print(1)"}""");

        Assert.True(result.IsError);
        Assert.Contains("cannot create its sandbox", result.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_language_is_refused_by_the_schema()
    {
        var result = await Call(new SandboxOptions { Enabled = true }, """{"language":"ruby","code":"puts 1"}""");

        Assert.True(result.IsError);
        Assert.Contains("$.language", result.Content, StringComparison.Ordinal);
    }

    [Fact]
    public void Is_high_risk_and_not_idempotent()
    {
        using var sandbox = new BubblewrapSandbox(new SandboxOptions());
        var tool = new ExecuteCodeTool(sandbox);

        Assert.Equal(ToolRisk.High, tool.Risk);
        Assert.False(tool.IsIdempotent);
        Assert.True(tool.Timeout > sandbox.Options.WallTimeout);
    }

    [Fact]
    public async Task Timeout_is_reported_as_an_error()
    {
        var options = new SandboxOptions { Enabled = true, WallTimeout = TimeSpan.FromSeconds(1) };

        var result = await Call(options, """{"language":"bash","code":"sleep 20"}""");

        Assert.True(result.IsError);
        Assert.EndsWith("[killed: wall-clock limit of 1 s reached]", result.Content, StringComparison.Ordinal);
    }
}
