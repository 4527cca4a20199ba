using System.ComponentModel;

namespace CompanyOs.Tools.WebSearch;

/// <summary>Arguments of <c>web_search</c>.</summary>
public sealed record WebSearchArguments(
    [property: Description("What to search the web for.")] string Query,
    [property: Description("How many results to return (1-10). Default 5.")] int Count = 5);
