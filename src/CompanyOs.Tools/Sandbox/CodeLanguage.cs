using System.Text.Json.Serialization;

namespace CompanyOs.Tools.Sandbox;

/// <summary>Languages <c>execute_code</c> runs.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CodeLanguage>))]
public enum CodeLanguage
{
    [JsonStringEnumMemberName("python")]
    Python,

    [JsonStringEnumMemberName("bash")]
    Bash,

    [JsonStringEnumMemberName("node")]
    Node,
}
