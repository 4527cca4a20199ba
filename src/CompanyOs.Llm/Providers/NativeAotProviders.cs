using System.Runtime.CompilerServices;
using CompanyOs.Llm.Configuration;

namespace CompanyOs.Llm.Providers;

/// <summary>
/// Which provider kinds a Native AOT build of the gateway can serve. The Anthropic SDK serialises its models with
/// reflection-based System.Text.Json (no source-generated metadata), which a Native AOT binary does not have, so an
/// enabled <c>type: anthropic</c> provider is refused at start-up there instead of failing on its first call. The JIT
/// build (the default: <c>dotnet build</c>, <c>companyos serve</c>) serves every kind.
/// </summary>
internal static class NativeAotProviders
{
    /// <summary>True when this process runs as a Native AOT binary (no JIT, no reflection emit).</summary>
    public static bool IsNativeAot => !RuntimeFeature.IsDynamicCodeSupported;

    /// <summary>Why <paramref name="kind"/> cannot be served by this build, or null when it can.</summary>
    public static string? Problem(ProviderKind kind, bool nativeAot) => nativeAot && kind == ProviderKind.Anthropic
        ? "type anthropic is not available in the Native AOT build of the server (the Anthropic SDK serialises by reflection); "
          + "run the JIT build (dotnet build / companyos serve) or disable this provider"
        : null;
}
