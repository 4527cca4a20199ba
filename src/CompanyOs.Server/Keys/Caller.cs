using CompanyOs.Llm.Calls;

namespace CompanyOs.Server.Keys;

/// <summary>Who is calling, as established by the API key (or the server's default org when keys are off).</summary>
internal sealed record Caller(string Org, string? KeyId)
{
    /// <summary>The gateway call context: the org comes from the key, never from a header or body field.</summary>
    public LlmCallContext CallContext() => new() { OrgId = Org };

    public static Caller Of(HttpContext http) =>
        http.Features.Get<Caller>() ?? throw new InvalidOperationException("The endpoint is outside the authenticated /v1 group.");
}
