namespace CompanyOs.Emulator.Hosting;

/// <summary>Request headers the emulator understands (all optional).</summary>
internal static class EmulatorHeaders
{
    /// <summary>Faults for this request, see <see cref="Faults.FaultHeaderParser"/>.</summary>
    public const string Fault = "x-emulator-fault";

    /// <summary><c>first-byte=MS;chunk=MS</c> latency for this request.</summary>
    public const string Latency = "x-emulator-latency";

    /// <summary><c>read=N;write=M</c> prompt-cache tokens to report.</summary>
    public const string Cache = "x-emulator-cache";

    /// <summary>Tag matched against <see cref="Scripting.ScriptedTurn.Tag"/>.</summary>
    public const string Tag = "x-emulator-tag";

    /// <summary>Headers never recorded or logged.</summary>
    public static readonly string[] Secret = ["authorization", "x-api-key", "api-key", "cookie", "proxy-authorization", "x-goog-api-key"];
}
