using CompanyOs.Tools.Registry;
using CompanyOs.Tools.WebSearch;

namespace CompanyOs.Tools.Tests.WebSearch;

public sealed class WebSearchToolTests
{
    private sealed class FakeClient(Func<string, int, IReadOnlyList<WebSearchResult>> search) : IWebSearchClient
    {
        public string Provider => "fake";

        public Task<IReadOnlyList<WebSearchResult>> SearchAsync(string query, int count, CancellationToken cancellationToken = default) =>
            Task.FromResult(search(query, count));
    }

    private static Task<ToolResult> Call(IWebSearchClient client, string json) =>
        new ToolInvoker(new ToolRegistry([new WebSearchTool(client)])).InvokeAsync("web_search", Json.Parse(json), Json.Context, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Results_are_numbered_for_the_model()
    {
        var client = new FakeClient((_, n) => [.. Enumerable.Range(1, n).Select(i => new WebSearchResult($"T{i}", $"https://e.com/{i}", i == 2 ? "" : $"S{i}"))]);

        var result = await Call(client, """{"query":"x","count":2}""");

        Assert.Equal("1. T1\n   https://e.com/1\n   S1\n\n2. T2\n   https://e.com/2", result.Content);
    }

    [Fact]
    public async Task Empty_results_say_so()
    {
        var result = await Call(new FakeClient((_, _) => []), """{"query":"nothing"}""");

        Assert.Equal(new ToolResult("No results for \"nothing\"."), result);
    }

    [Fact]
    public async Task Provider_failures_reach_the_model_as_tool_errors()
    {
        var result = await Call(new FakeClient((_, _) => throw new WebSearchException("brave", "rate limited (HTTP 429); try again later", true)), """{"query":"x"}""");

        Assert.Equal(new ToolResult("web_search failed: brave: rate limited (HTTP 429); try again later", IsError: true), result);
    }

    [Theory]
    [InlineData("""{"query":"  "}""", "query must not be empty")]
    [InlineData("""{"query":"x","count":50}""", "count must be between 1 and 10")]
    [InlineData("""{"count":3}""", "query")]
    public async Task Bad_arguments_are_refused(string json, string expected)
    {
        var result = await Call(new FakeClient((_, _) => throw new InvalidOperationException("must not be called")), json);

        Assert.True(result.IsError);
        Assert.Contains(expected, result.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Through_the_real_searxng_client_and_loopback_server()
    {
        await using var server = new LoopbackHttpServer(_ => new LoopbackResponse(200, """{"query":"q","results":[{"url":"https://a.example/","title":"A","content":"first"}]}"""));
        using var client = new SearxngSearchClient(server.BaseUrl, TimeSpan.FromSeconds(5));

        var result = await Call(client, """{"query":"q"}""");

        Assert.Equal(new ToolResult("1. A\n   https://a.example/\n   first"), result);
    }
}
