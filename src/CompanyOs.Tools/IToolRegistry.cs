using System.Text.Json;

namespace CompanyOs.Tools;

/// <summary>The tools available to agents, by unique name.</summary>
public interface IToolRegistry
{
    IReadOnlyCollection<ITool> Tools { get; }

    bool TryGet(string name, out ITool tool);

    /// <summary>Validates <paramref name="arguments"/> against the tool's schema; returns the problems (empty = valid).</summary>
    IReadOnlyList<string> Validate(ITool tool, JsonElement arguments);
}
