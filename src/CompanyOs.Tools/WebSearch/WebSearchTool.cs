using System.Text;
using CompanyOs.Tools.Typed;

namespace CompanyOs.Tools.WebSearch;

/// <summary><c>web_search</c>: real results from the configured search API, as numbered title / url / snippet entries.</summary>
public sealed class WebSearchTool : TypedTool<WebSearchArguments>
{
    private readonly IWebSearchClient _client;
    private readonly int _maxResults;

    public WebSearchTool(IWebSearchClient client, int maxResults = 10, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResults, 1);
        _client = client;
        _maxResults = maxResults;
        Timeout = timeout ?? TimeSpan.FromSeconds(20);
    }

    public override string Name => "web_search";

    public override string Description =>
        $"Searches the web and returns up to {_maxResults} results, each with title, url and snippet. Use it for current or external information.";

    public override ToolRisk Risk => ToolRisk.Low;

    public override bool IsIdempotent => true;

    public override TimeSpan Timeout { get; }

    protected override async Task<ToolResult> InvokeAsync(WebSearchArguments arguments, ToolInvocationContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(arguments.Query))
        {
            return ToolResult.Error("query must not be empty");
        }

        if (arguments.Count < 1 || arguments.Count > _maxResults)
        {
            return ToolResult.Error($"count must be between 1 and {_maxResults}, got {arguments.Count}");
        }

        IReadOnlyList<WebSearchResult> results;
        try
        {
            results = await _client.SearchAsync(arguments.Query, arguments.Count, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSearchException ex)
        {
            return ToolResult.Error($"web_search failed: {ex.Message}");
        }

        if (results.Count == 0)
        {
            return ToolResult.Success($"No results for \"{arguments.Query}\".");
        }

        var text = new StringBuilder();
        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            text.Append(i == 0 ? string.Empty : "\n\n").Append(i + 1).Append(". ").Append(r.Title)
                .Append("\n   ").Append(r.Url);
            if (r.Snippet.Length > 0)
            {
                text.Append("\n   ").Append(r.Snippet);
            }
        }

        return ToolResult.Success(text.ToString());
    }
}
