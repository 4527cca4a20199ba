using System.Text.Json;
using System.Text.Json.Serialization;

namespace CompanyOs.Emulator.Model;

/// <summary>Source-generated JSON metadata for the few values the emulator serialises outside its hand-written wire writers (trimming- and AOT-safe).</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class EmulatorJsonContext : JsonSerializerContext;
