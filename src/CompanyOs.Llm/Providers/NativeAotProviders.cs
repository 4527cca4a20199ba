using System.Runtime.CompilerServices;
using CompanyOs.Llm.Configuration;

namespace CompanyOs.Llm.Providers;

/// <summary>
/// Which provider kinds a Native AOT build of the gateway can serve: OpenAI-compatible only. The Anthropic SDK serialises its
/// models with reflection-based System.Text.Json (no source-generated metadata), and an Ollama call through OllamaSharp
/// failed in an AOT binary (HTTP 502 against the emulator); a Native AOT binary has no reflection-based JSON, so enabled
/// <c>type: anthropic</c> and <c>type: ollama</c> providers are refused at start-up there instead of failing on their
/// first call. The JIT build (the default: <c>dotnet build</c>, <c>companyos serve</c>) serves every kind.
/// </summary>
internal static class NativeAotProviders
{
    /// <summary>True when this process runs as a Native AOT binary (no JIT, no reflection emit).</summary>
    public static bool IsNativeAot => !RuntimeFeature.IsDynamicCodeSupported;

    /// <summary>Why <paramref name="kind"/> cannot be served by this build, or null when it can.</summary>
    public static string? Problem(ProviderKind kind, bool nativeAot) => (nativeAot, kind) switch
    {
        (true, ProviderKind.Anthropic) => Refused("anthropic", "the Anthropic SDK"),
        (true, ProviderKind.Ollama) => Refused("ollama", "OllamaSharp"),
        _ => null,
    };

    private static string Refused(string type, string sdk) =>
        $"type {type} is not available in the Native AOT build of the server ({sdk} serialises by reflection); "
        + "run the JIT build (dotnet build / companyos serve) or disable this provider";
}
