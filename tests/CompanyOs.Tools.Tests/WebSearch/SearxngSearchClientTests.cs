using CompanyOs.Tools.WebSearch;

namespace CompanyOs.Tools.Tests.WebSearch;

public sealed class SearxngSearchClientTests : WebSearchClientContract
{
    protected override IWebSearchClient CreateClient(Uri baseUrl, TimeProvider time) =>
        new SearxngSearchClient(baseUrl, TimeSpan.FromSeconds(10), time);

    protected override string ExpectedPathPrefix => "/search?";

    // Shape of a real SearXNG /search?format=json answer (fields trimmed to those that vary).
    protected override string TwoResultsBody => """
        {
          "query": "rust lang & more",
          "number_of_results": 0,
          "results": [
            {
              "url": "https://www.rust-lang.org/",
              "title": "Rust <b>lang</b>",
              "content": "A language empowering everyone to build reliable &amp; efficient software.",
              "engine": "duckduckgo",
              "parsed_url": ["https", "www.rust-lang.org", "/", "", "", ""],
              "template": "default.html",
              "engines": ["duckduckgo", "brave"],
              "positions": [1, 1],
              "score": 4.0,
              "category": "general"
            },
            {
              "url": "https://doc.rust-lang.org/book/",
              "title": "The Rust Programming Language",
              "content": "by Steve Klabnik and Carol Nichols",
              "engine": "brave",
              "parsed_url": ["https", "doc.rust-lang.org", "/book/", "", "", ""],
              "template": "default.html",
              "engines": ["brave"],
              "positions": [2],
              "score": 0.5,
              "category": "general",
              "publishedDate": null
            }
          ],
          "answers": [],
          "corrections": [],
          "infoboxes": [],
          "suggestions": ["rust programming"],
          "unresponsive_engines": []
        }
        """;

    protected override string EmptyBody => """
        {"query": "zzqxj", "number_of_results": 0, "results": [], "answers": [], "corrections": [], "infoboxes": [], "suggestions": [], "unresponsive_engines": [["google", "timeout"]]}
        """;

    protected override void AssertRequest(LoopbackRequest request) => Assert.Contains("format=json", request.Target, StringComparison.Ordinal);

    [Fact]
    public async Task Instance_without_json_format_is_a_clear_error()
    {
        await using var server = new LoopbackHttpServer(_ => new LoopbackResponse(200, """{"detail":"nope"}"""));
        using var client = new SearxngSearchClient(server.BaseUrl, TimeSpan.FromSeconds(10));

        var ex = await Assert.ThrowsAsync<WebSearchException>(() => client.SearchAsync("q", 5, TestContext.Current.CancellationToken));

        Assert.Contains("format=json", ex.Message, StringComparison.Ordinal);
    }
}
