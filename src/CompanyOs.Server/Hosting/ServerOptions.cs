using CompanyOs.Llm.Calls;

namespace CompanyOs.Server.Hosting;

/// <summary>The server's own settings, bound from the <c>CompanyOs:Server</c> configuration section.</summary>
internal sealed class ServerOptions
{
    public const string SectionName = "CompanyOs:Server";

    /// <summary>Where Kestrel listens when no <c>urls</c> are configured: loopback only, never every interface by default.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Largest request body accepted (bytes); larger bodies get 413 in the endpoint's error format.</summary>
    public long MaxRequestBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Answer every provider from the in-process emulator; every response then says so.</summary>
    public bool Emulator { get; set; }

    /// <summary>The organisation calls are attributed to (budgets, stats) until per-org API keys exist.</summary>
    public string DefaultOrg { get; set; } = "default";

    /// <summary>Who pays for a call. The org comes from the server, never from a header or body field.</summary>
    public LlmCallContext CallContext() => new() { OrgId = DefaultOrg };
}
