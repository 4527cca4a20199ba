using System.Text.Json;

namespace CompanyOs.Tools.WebSearch;

/// <summary>Turns a provider's array of hits into <see cref="WebSearchResult"/>s, bounded in number and in the length of each field.</summary>
internal static class SearchResults
{
    public static List<WebSearchResult> From(JsonElement results, int count, string snippetProperty)
    {
        var hits = new List<WebSearchResult>();
        foreach (var item in results.EnumerateArray())
        {
            if (hits.Count >= count)
            {
                break;
            }

            if (item.ValueKind == JsonValueKind.Object && Text(item, "url") is { Length: > 0 and <= SearchHttp.MaxUrlChars } link)
            {
                hits.Add(new WebSearchResult(
                    SearchHttp.Clean(Text(item, "title"), SearchHttp.MaxTitleChars), link, SearchHttp.Clean(Text(item, snippetProperty), SearchHttp.MaxSnippetChars)));
            }
        }

        return hits;
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
