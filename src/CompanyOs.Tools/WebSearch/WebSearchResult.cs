namespace CompanyOs.Tools.WebSearch;

/// <summary>One search hit, the same shape whichever provider produced it.</summary>
public sealed record WebSearchResult(string Title, string Url, string Snippet);
