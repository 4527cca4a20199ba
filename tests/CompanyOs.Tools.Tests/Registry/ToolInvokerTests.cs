using CompanyOs.Tools.Registry;
using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Tools.Tests.Registry;

public class ToolInvokerTests
{
    private const string Schema = """{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}""";

    [Fact]
    public async Task Valid_call_runs_the_tool()
    {
        var tool = new TestTool("echo", Schema);
        var invoker = new ToolInvoker(new ToolRegistry([tool]));

        var result = await invoker.InvokeAsync("echo", Json.Parse("""{"n":3}"""), Json.Context, TestContext.Current.CancellationToken);

        Assert.False(result.IsError);
        Assert.Equal("""{"n":3}""", result.Content);
        Assert.Equal(1, tool.Calls);
    }

    [Fact]
    public async Task Invalid_arguments_never_reach_the_tool_and_the_model_gets_each_problem()
    {
        var tool = new TestTool("echo", Schema);
        var invoker = new ToolInvoker(new ToolRegistry([tool]));

        var result = await invoker.InvokeAsync("echo", Json.Parse("""{"n":"three"}"""), Json.Context, TestContext.Current.CancellationToken);

        Assert.True(result.IsError);
        Assert.StartsWith("Invalid arguments for tool 'echo':\n- $.n: ", result.Content, StringComparison.Ordinal);
        Assert.Equal(0, tool.Calls);
    }

    [Fact]
    public async Task Missing_arguments_count_as_an_empty_object()
    {
        var tool = new TestTool("noargs");
        var invoker = new ToolInvoker(new ToolRegistry([tool]));

        var result = await invoker.InvokeAsync("noargs", default, Json.Context, TestContext.Current.CancellationToken);

        Assert.False(result.IsError);
        Assert.Equal("{}", result.Content);
    }

    [Fact]
    public async Task Unknown_tool_is_an_error_listing_the_available_tools()
    {
        var invoker = new ToolInvoker(new ToolRegistry([new TestTool("alpha"), new TestTool("beta")]));

        var result = await invoker.InvokeAsync("gamma", Json.Parse("{}"), Json.Context, TestContext.Current.CancellationToken);

        Assert.True(result.IsError);
        Assert.Equal("Unknown tool 'gamma'. Available tools: alpha, beta.", result.Content);
    }

    [Fact]
    public async Task A_tool_that_overruns_its_timeout_is_abandoned_with_an_error()
    {
        var time = new FakeTimeProvider();
        var started = new TaskCompletionSource();
        var tool = new TestTool("slow")
        {
            Timeout = TimeSpan.FromSeconds(10),
            OnInvoke = async (_, _) =>
            {
                started.SetResult();
                await Task.Delay(Timeout.Infinite, CancellationToken.None); // ignores cancellation on purpose
                return ToolResult.Success("never");
            },
        };
        var invoker = new ToolInvoker(new ToolRegistry([tool]), time);

        var call = invoker.InvokeAsync("slow", Json.Parse("{}"), Json.Context, TestContext.Current.CancellationToken);
        await started.Task;
        time.Advance(TimeSpan.FromSeconds(10));
        var result = await call;

        Assert.True(result.IsError);
        Assert.Equal("Tool 'slow' timed out after 10 s.", result.Content);
    }

    [Fact]
    public async Task Caller_cancellation_is_thrown_not_reported_as_timeout()
    {
        using var cts = new CancellationTokenSource();
        var tool = new TestTool("wait")
        {
            OnInvoke = async (_, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return ToolResult.Success("never");
            },
        };
        var invoker = new ToolInvoker(new ToolRegistry([tool]), new FakeTimeProvider());

        var call = invoker.InvokeAsync("wait", Json.Parse("{}"), Json.Context, cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task A_throwing_tool_becomes_an_error_result()
    {
        var tool = new TestTool("boom") { OnInvoke = (_, _) => throw new InvalidOperationException("disk on fire") };
        var invoker = new ToolInvoker(new ToolRegistry([tool]));

        var result = await invoker.InvokeAsync("boom", Json.Parse("{}"), Json.Context, TestContext.Current.CancellationToken);

        Assert.True(result.IsError);
        Assert.Equal("Tool 'boom' failed: disk on fire", result.Content);
    }
}
