using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Serialization;

/// <summary>
/// Trimming- and Native-AOT-safe JSON for the gateway's own (de)serialisation of Microsoft.Extensions.AI types: type
/// information comes from <see cref="AIJsonUtilities.DefaultOptions"/> (source-generated for the MEAI types) instead of
/// the reflection-based <c>JsonSerializer.Serialize&lt;T&gt;(value, options)</c> overloads.
/// </summary>
internal static class LlmJson
{
    /// <summary>MEAI's type information for <typeparamref name="T"/> (e.g. <see cref="ChatResponse"/>, <c>IList&lt;AIContent&gt;</c>).</summary>
    public static JsonTypeInfo<T> AI<T>() => (JsonTypeInfo<T>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(T));

    /// <summary>Serialises any value by its run-time type, as <c>JsonSerializer.Serialize(object, AIJsonUtilities.DefaultOptions)</c> did.</summary>
    public static JsonTypeInfo<object?> AnyValue => AI<object?>();
}

/// <summary>Source-generated metadata for the primitive values the providers write into raw request bodies.</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(JsonNode))]
internal sealed partial class LlmJsonContext : JsonSerializerContext;
