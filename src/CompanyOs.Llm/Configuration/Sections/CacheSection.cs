using CompanyOs.Llm.Gateway.Caching;

namespace CompanyOs.Llm.Configuration.Sections;

/// <summary><c>cache:</c> — the gateway's exact-match response cache (opt-in per call unless <c>enabled: true</c>).</summary>
internal sealed class CacheSection : ILlmConfigSection
{
    private static readonly string[] Keys = ["enabled", "expiration_seconds"];

    public string Key => "cache";

    public LlmOptions Read(ConfigNode node, LlmOptions options)
    {
        if (node.IsNull)
        {
            return options;
        }

        node.ExpectOnlyKeys(Keys);
        var d = new ResponseCacheOptions();
        return options with
        {
            Cache = new ResponseCacheOptions
            {
                Enabled = node.Child("enabled").AsBool() ?? d.Enabled,
                Expiration = node.Child("expiration_seconds").AsSeconds(maxSeconds: 30 * 86_400) ?? d.Expiration,
            },
        };
    }
}
