using CompanyOs.Tools.WebSearch;
using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Tools.Tests.WebSearch;

/// <summary>Every search client goes through the same cases against a loopback fake that answers in the provider's real wire shape.</summary>
public abstract class WebSearchClientContract
{
    protected const string Secret = "sk-live-SECRET-12345";

    protected abstract IWebSearchClient CreateClient(Uri baseUrl, TimeProvider time);

    /// <summary>A real-shaped response body with two hits: ("Rust &lt;b&gt;lang&lt;/b&gt;", https://rust-lang.org, ...) and ("Rust book", ...).</summary>
    protected abstract string TwoResultsBody { get; }

    protected abstract string EmptyBody { get; }

    protected abstract string ExpectedPathPrefix { get; }

    protected virtual void AssertRequest(LoopbackRequest request)
    {
    }

    private async Task<(T Result, LoopbackHttpServer Server)> Run<T>(Func<LoopbackRequest, LoopbackResponse?> handler, Func<IWebSearchClient, FakeTimeProvider, LoopbackHttpServer, Task<T>> act)
    {
        var server = new LoopbackHttpServer(handler);
        await using (server)
        {
            var time = new FakeTimeProvider();
            var client = CreateClient(server.BaseUrl, time);
            using (client as IDisposable)
            {
                return (await act(client, time, server), server);
            }
        }
    }

    [Fact]
    public async Task Results_are_normalised_to_title_url_snippet()
    {
        var (results, server) = await Run(_ => new LoopbackResponse(200, TwoResultsBody), (c, _, _) => c.SearchAsync("rust lang & more", 5, TestContext.Current.CancellationToken));

        Assert.Equal(2, results.Count);
        Assert.Equal(new WebSearchResult("Rust lang", "https://www.rust-lang.org/", "A language empowering everyone to build reliable & efficient software."), results[0]);
        Assert.Equal("https://doc.rust-lang.org/book/", results[1].Url);
        Assert.True(server.Requests.TryPeek(out var request));
        Assert.StartsWith(ExpectedPathPrefix, request.Target, StringComparison.Ordinal);
        Assert.Contains("q=rust%20lang%20%26%20more", request.Target, StringComparison.Ordinal);
        AssertRequest(request);
    }

    [Fact]
    public async Task Count_limits_the_results()
    {
        var (results, _) = await Run(_ => new LoopbackResponse(200, TwoResultsBody), (c, _, _) => c.SearchAsync("rust", 1, TestContext.Current.CancellationToken));

        Assert.Single(results);
    }

    [Fact]
    public async Task Empty_results_are_an_empty_list()
    {
        var (results, _) = await Run(_ => new LoopbackResponse(200, EmptyBody), (c, _, _) => c.SearchAsync("zzqxj", 5, TestContext.Current.CancellationToken));

        Assert.Empty(results);
    }

    [Fact]
    public async Task Rate_limit_is_a_retriable_error_with_retry_after()
    {
        var ex = await Assert.ThrowsAsync<WebSearchException>(() => Run(
            _ => new LoopbackResponse(429, """{"type":"ErrorResponse","error":{"status":429,"code":"RATE_LIMITED"}}""") { Headers = new Dictionary<string, string> { ["Retry-After"] = "7" } },
            (c, _, _) => c.SearchAsync("q", 5, TestContext.Current.CancellationToken)));

        Assert.True(ex.IsRetriable);
        Assert.Contains("rate limited (HTTP 429), retry after 7 s", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500, "server error (HTTP 500)", true)]
    [InlineData(503, "server error (HTTP 503)", true)]
    [InlineData(401, "rejected the request (HTTP 401)", false)]
    [InlineData(403, "rejected the request (HTTP 403)", false)]
    [InlineData(400, "request failed (HTTP 400)", false)]
    public async Task Http_errors_are_named(int status, string expected, bool retriable)
    {
        var ex = await Assert.ThrowsAsync<WebSearchException>(() => Run(_ => new LoopbackResponse(status, "oops"), (c, _, _) => c.SearchAsync("q", 5, TestContext.Current.CancellationToken)));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal(retriable, ex.IsRetriable);
        Assert.DoesNotContain(Secret, ex.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"results\": [")]
    [InlineData("<html>not json</html>")]
    public async Task Malformed_json_is_an_error(string body)
    {
        var ex = await Assert.ThrowsAsync<WebSearchException>(() => Run(_ => new LoopbackResponse(200, body), (c, _, _) => c.SearchAsync("q", 5, TestContext.Current.CancellationToken)));

        Assert.Contains("malformed JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out()
    {
        var ex = await Assert.ThrowsAsync<WebSearchException>(() => Run(_ => null, async (c, time, server) =>
        {
            var call = c.SearchAsync("q", 5, TestContext.Current.CancellationToken);
            await server.RequestReceived.Task;
            time.Advance(TimeSpan.FromSeconds(10));
            return await call;
        }));

        Assert.True(ex.IsRetriable);
        Assert.Contains("timed out", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_server_is_an_error_without_secrets()
    {
        var server = new LoopbackHttpServer(_ => null);
        var deadUrl = server.BaseUrl;
        await server.DisposeAsync();
        using var client = (IDisposable)CreateClient(deadUrl, new FakeTimeProvider());

        var ex = await Assert.ThrowsAsync<WebSearchException>(() => ((IWebSearchClient)client).SearchAsync("q", 5, TestContext.Current.CancellationToken));

        Assert.Contains("could not be reached", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_to_another_origin_is_not_followed()
    {
        await using var other = new LoopbackHttpServer(_ => new LoopbackResponse(200, TwoResultsBody));

        var ex = await Assert.ThrowsAsync<WebSearchException>(() => Run(
            r => new LoopbackResponse(301, "") { Headers = new Dictionary<string, string> { ["Location"] = new Uri(other.BaseUrl, r.Target).ToString() } },
            (c, _, _) => c.SearchAsync("q", 5, TestContext.Current.CancellationToken)));

        Assert.Empty(other.Requests);
        Assert.False(ex.IsRetriable);
        Assert.Contains($"redirected to another origin (http://127.0.0.1:{other.BaseUrl.Port})", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_within_the_origin_is_followed_with_the_same_headers()
    {
        var (results, server) = await Run(
            r => r.Target.StartsWith("/moved", StringComparison.Ordinal)
                ? new LoopbackResponse(200, TwoResultsBody)
                : new LoopbackResponse(308, "") { Headers = new Dictionary<string, string> { ["Location"] = "/moved" + r.Target } },
            (c, _, _) => c.SearchAsync("rust lang & more", 5, TestContext.Current.CancellationToken));

        Assert.Equal(2, results.Count);
        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.StartsWith("/moved" + ExpectedPathPrefix, requests[1].Target, StringComparison.Ordinal);
        AssertRequest(requests[1]);
    }

    [Fact]
    public async Task Redirect_loops_are_cut_off()
    {
        var ex = await Assert.ThrowsAsync<WebSearchException>(() => Run(
            r => new LoopbackResponse(302, "") { Headers = new Dictionary<string, string> { ["Location"] = r.Target } },
            (c, _, _) => c.SearchAsync("q", 5, TestContext.Current.CancellationToken)));

        Assert.Contains("redirected more than 3 times", ex.Message, StringComparison.Ordinal);
    }
}
