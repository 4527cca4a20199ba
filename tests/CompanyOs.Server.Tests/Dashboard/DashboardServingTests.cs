using System.Net;
using System.Net.Http.Headers;
using CompanyOs.Server.Dashboard;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Dashboard;

/// <summary>The dashboard's static files over a real Kestrel: served from the assembly, no key needed, locked-down headers.</summary>
public sealed class DashboardServingTests
{
    public static TheoryData<string, string> Files => new()
    {
        { "/", "text/html; charset=utf-8" },
        { "/dashboard/app.js", "text/javascript; charset=utf-8" },
        { "/dashboard/app.css", "text/css; charset=utf-8" },
        { "/dashboard/favicon.svg", "image/svg+xml" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Every_file_is_served_without_a_key_with_its_type_and_the_security_headers(string path, string type)
    {
        await using var server = await TestServers.StartAsync(extraArgs: ["--keys-db", KeysDb()]);
        using var http = TestServers.Http(server);

        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType!.ToString());
        AssertSecurityHeaders(response);
        Assert.Equal("no-cache", response.Headers.CacheControl!.ToString());
        Assert.NotNull(response.Headers.ETag);
        Assert.True((await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Length > 50);
    }

    [Fact]
    public async Task The_page_loads_only_its_own_scripts_and_no_inline_script()
    {
        await using var server = await TestServers.StartAsync();
        using var http = TestServers.Http(server);

        var page = await http.GetStringAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Contains("<script type=\"module\" src=\"/dashboard/app.js\"></script>", page, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)", page);
        Assert.DoesNotContain("http://", page.Replace("http://www.w3.org", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", page, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", DashboardApi.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", DashboardApi.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", DashboardApi.ContentSecurityPolicy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_script_of_the_dashboard_writes_markup()
    {
        // Model and tool strings must reach the page as text only; innerHTML and friends would parse them as markup.
        await using var server = await TestServers.StartAsync();
        using var http = TestServers.Http(server);
        var scripts = DashboardAssets.Names.Where(n => n.EndsWith(".js", StringComparison.Ordinal)).ToList();
        Assert.Contains("run.js", scripts);
        Assert.True(scripts.Count >= 7, string.Join(", ", scripts));
        foreach (var script in scripts)
        {
            var source = await http.GetStringAsync(new Uri($"/dashboard/{script}", UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.DoesNotMatch(@"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function", source);
        }
    }

    [Fact]
    public async Task A_cached_file_is_revalidated_with_its_etag()
    {
        await using var server = await TestServers.StartAsync();
        using var http = TestServers.Http(server);
        using var first = await http.GetAsync(new Uri("/dashboard/app.js", UriKind.Relative), TestContext.Current.CancellationToken);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/dashboard/app.js", UriKind.Relative));
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var again = await http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(first.Headers.ETag, again.Headers.ETag);
    }

    [Theory]
    [InlineData("/dashboard/missing.js")]
    [InlineData("/dashboard/..%2Fappsettings.json")]
    [InlineData("/dashboard/CompanyOs.Server.dll")]
    public async Task A_file_that_is_not_part_of_the_dashboard_is_404_with_the_same_headers(string path)
    {
        await using var server = await TestServers.StartAsync();
        using var http = TestServers.Http(server);

        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task The_api_still_needs_a_key_when_the_dashboard_does_not()
    {
        await using var server = await TestServers.StartAsync(extraArgs: ["--keys-db", KeysDb()]);
        using var http = TestServers.Http(server);

        using var page = await http.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        using var models = await http.GetAsync(new Uri("/v1/models", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        Assert.Equal(DashboardApi.ContentSecurityPolicy, Header(response, "Content-Security-Policy"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static string KeysDb() => Path.Combine(Path.GetTempPath(), "companyos-server-tests", Guid.NewGuid().ToString("N") + ".db");
}
