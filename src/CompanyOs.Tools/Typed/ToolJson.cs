using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CompanyOs.Tools.FileSystem;
using CompanyOs.Tools.Sandbox;
using CompanyOs.Tools.WebSearch;

namespace CompanyOs.Tools.Typed;

/// <summary>JSON conventions for tool arguments: snake_case names, required constructor parameters and nullability respected.</summary>
/// <remarks>
/// The built-in tools' argument records have source-generated metadata, so they bind under trimming and Native AOT. Argument
/// types of other <see cref="TypedTool{TArguments}"/> subclasses are read by reflection, which a JIT build has; a Native AOT
/// build has no reflection-based JSON, so such a tool fails at its first use there (NotSupportedException naming the type).
/// </remarks>
public static class ToolJson
{
    /// <summary>Options used both to generate argument schemas and to bind arguments, so the two always agree.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(BuiltInToolArgumentsJsonContext.Default, ReflectionWhenEnabled()),
    };

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only when reflection-based JSON is enabled (JIT builds); Native AOT sets the feature switch off and this branch is removed.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Only when reflection-based JSON is enabled (JIT builds); Native AOT sets the feature switch off and this branch is removed.")]
    private static DefaultJsonTypeInfoResolver? ReflectionWhenEnabled() =>
        JsonSerializer.IsReflectionEnabledByDefault ? new DefaultJsonTypeInfoResolver() : null;
}

/// <summary>Source-generated metadata of the built-in tools' arguments (the settings come from <see cref="ToolJson.Options"/>).</summary>
[JsonSerializable(typeof(ReadFileArguments))]
[JsonSerializable(typeof(ListDirArguments))]
[JsonSerializable(typeof(ExecuteCodeArguments))]
[JsonSerializable(typeof(WebSearchArguments))]
internal sealed partial class BuiltInToolArgumentsJsonContext : JsonSerializerContext;
