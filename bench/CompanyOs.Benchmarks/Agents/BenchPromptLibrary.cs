using CompanyOs.Prompts;
using Microsoft.Extensions.AI;

namespace CompanyOs.Benchmarks.Agents;

/// <summary>One fixed persona prompt, no template engine: keeps prompt rendering out of the measured overhead.</summary>
internal sealed class BenchPromptLibrary : IPromptLibrary
{
    public RenderedPrompt Render(string name, IReadOnlyDictionary<string, object?> variables, string? version = null) =>
        new(name, "1", "You are a researcher.", null, [new ChatMessage(ChatRole.System, "You are a researcher.")]);

    public IReadOnlyList<PromptInfo> List() => [new PromptInfo("researcher/persona", ["1"], null, [])];
}
