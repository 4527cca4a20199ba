using Microsoft.Net.Http.Headers;

namespace CompanyOs.Server.Dashboard;

/// <summary>
/// Serves the dashboard: <c>/</c> is its page, <c>/dashboard/{file}</c> its scripts, styles and icon. The files need no
/// key (they hold no data); the page calls <c>/v1</c> with the key the operator signs in with. Every response carries a
/// Content-Security-Policy that allows only the server's own scripts (no inline script, no eval), so that text from a
/// model or a tool can never run even if it reached the page as markup.
/// </summary>
internal static class DashboardApi
{
    /// <summary>The dashboard's policy: its own scripts, styles and images, API calls to its own origin, nothing else.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], (HttpContext http) => Serve(http, "index.html"));
        routes.MapMethods("/dashboard/{file}", [HttpMethods.Get, HttpMethods.Head], (HttpContext http, string file) => Serve(http, file));
        return routes;
    }

    private static IResult Serve(HttpContext http, string file)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        if (DashboardAssets.Find(file) is not { } asset)
        {
            return TypedResults.NotFound();
        }

        // Revalidated on every load (cheap: 304 by ETag), so that a new server version is never mixed with cached old scripts.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (http.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == asset.ETag || t.Trim() == "*")))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }
}
