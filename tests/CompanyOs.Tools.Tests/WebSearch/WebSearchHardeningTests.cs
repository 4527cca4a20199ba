using System.Text.Json;
using CompanyOs.Tools.Configuration;
using CompanyOs.Tools.Registry;
using CompanyOs.Tools.WebSearch;

namespace CompanyOs.Tools.Tests.WebSearch;

/// <summary><c>web_search</c> as <see cref="ToolSet"/> builds it from configuration, against loopback servers that misbehave.</summary>
public sealed class WebSearchHardeningTests
{
    private const string Secret = "sk-live-SECRET-67890";

    private static async Task<ToolResult> Search(SearchProvider provider, Uri baseUrl)
    {
        var options = new ToolsOptions { WebSearch = new WebSearchOptions { Provider = provider, BaseUrl = baseUrl, ApiKey = Secret, RequestTimeout = TimeSpan.FromSeconds(10) } };
        await using var tools = await ToolSet.CreateAsync(options, cancellationToken: TestContext.Current.CancellationToken);
        return await new ToolInvoker(tools.Registry).InvokeAsync("web_search", Json.Parse("""{"query":"q"}"""), Json.Context, TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData(302)]
    [InlineData(307)]
    public async Task The_brave_key_never_follows_a_redirect_to_another_origin(int status)
    {
        await using var other = new LoopbackHttpServer(_ => new LoopbackResponse(200, """{"web":{"results":[{"url":"https://evil.example/","title":"E","description":"x"}]}}"""));
        await using var api = new LoopbackHttpServer(request => new LoopbackResponse(status, "")
        {
            Headers = new Dictionary<string, string> { ["Location"] = new Uri(other.BaseUrl, request.Target).ToString() },
        });

        var result = await Search(SearchProvider.Brave, api.BaseUrl);

        Assert.Empty(other.Requests);
        Assert.True(result.IsError, result.Content);
        Assert.Contains("redirected to another origin", result.Content, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, result.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_10_MiB_response_is_refused_with_a_clear_error()
    {
        var huge = JsonSerializer.Serialize(new { results = new[] { new { url = "https://a.example/", title = "A", content = new string('x', 10 * 1024 * 1024) } } });
        await using var api = new LoopbackHttpServer(_ => new LoopbackResponse(200, huge));

        var result = await Search(SearchProvider.Searxng, api.BaseUrl);

        Assert.True(result.IsError, $"{result.Content.Length} characters returned");
        Assert.Contains("response is larger than the 1024 KiB limit", result.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snippet_of_unclosed_tags_is_cleaned_in_linear_time()
    {
        // Every '<' opens a tag that never closes: a backtracking tag regex rescans the rest from each one (13 s for 1 MB).
        var body = """{"results":[{"url":"https://a.example/","title":"<b>T</b>","content":"<em>x</em>""" + new string('<', 1_000_000) + "\"}]}";
        await using var api = new LoopbackHttpServer(_ => new LoopbackResponse(200, body));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = await Search(SearchProvider.Searxng, api.BaseUrl);

        Assert.False(result.IsError, result.Content);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
        Assert.Contains("T", result.Content, StringComparison.Ordinal);
        Assert.Contains("x<<<", result.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", result.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Long_titles_and_snippets_are_truncated()
    {
        var body = JsonSerializer.Serialize(new { results = new[] { new { url = "https://a.example/", title = new string('t', 5000), content = new string('s', 200_000) } } });
        await using var api = new LoopbackHttpServer(_ => new LoopbackResponse(200, body));

        var result = await Search(SearchProvider.Searxng, api.BaseUrl);

        var lines = result.Content.Split('\n');
        Assert.False(result.IsError, result.Content);
        Assert.Equal("1. " + new string('t', 199) + "…", lines[0]);
        Assert.Equal("   https://a.example/", lines[1]);
        Assert.Equal("   " + new string('s', 499) + "…", lines[2]);
    }
}
