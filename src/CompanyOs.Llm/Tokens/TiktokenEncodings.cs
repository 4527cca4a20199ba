namespace CompanyOs.Llm.Tokens;

/// <summary>Which tiktoken encoding an OpenAI model uses; null for models that are not OpenAI's (their counts are estimates).</summary>
internal static class TiktokenEncodings
{
    public const string O200k = "o200k_base";
    public const string Cl100k = "cl100k_base";

    public static string? ForModel(string? model)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            return null;
        }

        var id = model.Trim().ToLowerInvariant();
        if (id.StartsWith("gpt-4o", StringComparison.Ordinal) || id.StartsWith("gpt-4.1", StringComparison.Ordinal) ||
            id.StartsWith("gpt-4.5", StringComparison.Ordinal) || id.StartsWith("gpt-5", StringComparison.Ordinal) ||
            id.StartsWith("chatgpt-4o", StringComparison.Ordinal) || id.StartsWith("gpt-oss", StringComparison.Ordinal) ||
            (id.Length >= 2 && id[0] == 'o' && char.IsAsciiDigit(id[1])))
        {
            return O200k;
        }

        if (id.StartsWith("gpt-4", StringComparison.Ordinal) || id.StartsWith("gpt-3.5", StringComparison.Ordinal) ||
            id.StartsWith("text-embedding-", StringComparison.Ordinal))
        {
            return Cl100k;
        }

        return null;
    }
}
