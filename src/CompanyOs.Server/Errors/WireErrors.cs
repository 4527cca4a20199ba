using CompanyOs.Server.Anthropic;
using CompanyOs.Server.OpenAI;

namespace CompanyOs.Server.Errors;

/// <summary>Picks the error format for a request that failed before its endpoint ran (authentication, model lookup).</summary>
internal static class WireErrors
{
    /// <summary>Anthropic's for <c>/v1/messages</c> and for any request carrying <c>anthropic-version</c>; OpenAI's otherwise.</summary>
    public static bool IsAnthropic(HttpContext http) =>
        http.Request.Path.StartsWithSegments("/v1/messages", StringComparison.Ordinal) || http.Request.Headers.ContainsKey("anthropic-version");

    public static IResult Result(HttpContext http, ApiError error) =>
        IsAnthropic(http) ? AnthropicErrors.Result(error, http.Response) : OpenAIErrors.Result(error, http.Response);
}
