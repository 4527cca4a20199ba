using CompanyOs.Llm.Gateway.Resilience;

namespace CompanyOs.Llm.Configuration.Sections;

/// <summary><c>retry:</c> — backoff and Retry-After handling of the gateway (the retry count is per provider: <c>max_retries</c>).</summary>
internal sealed class RetrySection : ILlmConfigSection
{
    private static readonly string[] Keys = ["base_delay_seconds", "max_delay_seconds", "max_retry_after_seconds", "total_deadline_seconds"];

    public string Key => "retry";

    public LlmOptions Read(ConfigNode node, LlmOptions options)
    {
        if (node.IsNull)
        {
            return options;
        }

        node.ExpectOnlyKeys(Keys);
        var d = new RetryPolicyOptions();
        var retry = new RetryPolicyOptions
        {
            BaseDelay = node.Child("base_delay_seconds").AsSeconds(maxSeconds: 60) ?? d.BaseDelay,
            MaxDelay = node.Child("max_delay_seconds").AsSeconds(maxSeconds: 600) ?? d.MaxDelay,
            MaxRetryAfter = node.Child("max_retry_after_seconds").AsSeconds(maxSeconds: 3600) ?? d.MaxRetryAfter,
            TotalDeadline = node.Child("total_deadline_seconds").AsSeconds(maxSeconds: 86_400) ?? d.TotalDeadline,
        };
        if (retry.MaxDelay < retry.BaseDelay)
        {
            throw node.Child("max_delay_seconds").Error("must be at least base_delay_seconds");
        }

        return options with { Retry = retry };
    }
}
