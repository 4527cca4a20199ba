using CompanyOs.Tools.WebSearch;

namespace CompanyOs.Tools.Tests.WebSearch;

public sealed class BraveSearchClientTests : WebSearchClientContract
{
    protected override IWebSearchClient CreateClient(Uri baseUrl, TimeProvider time) =>
        new BraveSearchClient(baseUrl, Secret, TimeSpan.FromSeconds(10), time);

    protected override string ExpectedPathPrefix => "/res/v1/web/search?";

    // Shape of a real Brave WebSearchApiResponse (fields trimmed); descriptions carry <strong> highlighting.
    protected override string TwoResultsBody => """
        {
          "query": {"original": "rust lang & more", "show_strict_warning": false, "is_navigational": true, "spellcheck_off": true, "country": "us"},
          "mixed": {"type": "mixed", "main": [{"type": "web", "index": 0, "all": false}, {"type": "web", "index": 1, "all": false}], "top": [], "side": []},
          "type": "search",
          "web": {
            "type": "search",
            "results": [
              {
                "title": "Rust lang",
                "url": "https://www.rust-lang.org/",
                "is_source_local": false,
                "is_source_both": false,
                "description": "A <strong>language</strong> empowering everyone to build reliable &amp; efficient software.",
                "profile": {"name": "Rust-lang", "url": "https://www.rust-lang.org/", "long_name": "rust-lang.org", "img": "https://imgs.search.brave.com/x"},
                "language": "en",
                "family_friendly": true,
                "type": "search_result",
                "subtype": "generic",
                "is_live": false,
                "meta_url": {"scheme": "https", "netloc": "rust-lang.org", "hostname": "www.rust-lang.org", "favicon": "https://imgs.search.brave.com/y", "path": ""}
              },
              {
                "title": "The Rust Programming Language",
                "url": "https://doc.rust-lang.org/book/",
                "description": "by Steve Klabnik and Carol Nichols",
                "age": "March 1, 2024",
                "page_age": "2024-03-01T00:00:00",
                "language": "en",
                "family_friendly": true,
                "type": "search_result",
                "subtype": "generic"
              }
            ],
            "family_friendly": true
          }
        }
        """;

    protected override string EmptyBody => """
        {"query": {"original": "zzqxj", "show_strict_warning": false, "more_results_available": false}, "mixed": {"type": "mixed", "main": [], "top": [], "side": []}, "type": "search"}
        """;

    protected override void AssertRequest(LoopbackRequest request)
    {
        Assert.Equal(Secret, request.Headers["X-Subscription-Token"]);
        Assert.Contains("count=5", request.Target, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, request.Target, StringComparison.Ordinal);
    }

    [Fact]
    public void Client_description_never_shows_the_key()
    {
        using var client = new BraveSearchClient(new Uri("http://127.0.0.1:1/"), Secret, TimeSpan.FromSeconds(1));
        var options = new WebSearchOptions { Provider = SearchProvider.Brave, ApiKey = Secret };

        Assert.DoesNotContain(Secret, client.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, options.ToString(), StringComparison.Ordinal);
    }
}
