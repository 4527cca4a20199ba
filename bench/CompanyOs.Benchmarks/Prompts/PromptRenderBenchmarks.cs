using BenchmarkDotNet.Attributes;
using CompanyOs.Prompts;
using CompanyOs.Prompts.Library;
using Fluid;
using Microsoft.Extensions.AI;
using YamlDotNet.RepresentationModel;

namespace CompanyOs.Benchmarks.Prompts;

/// <summary>
/// Rendering the seed's <c>researcher/literature_review</c> (v1.0: system, one few-shot pair, user; three variables)
/// through the library, against two baselines in the same run: plain <c>string.Replace</c> and Fluid used directly
/// (templates pre-parsed, no variable checks). Goal: library render ≤ 20 µs.
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime: [GlobalCleanup] disposes the library.")]
public class PromptRenderBenchmarks
{
    private static readonly Dictionary<string, object?> Variables = new(StringComparer.Ordinal)
    {
        ["topic"] = "event sourcing for agent runtimes",
        ["context"] = "CompanyOS: an LLM gateway and agent runtime for .NET; every agent step is an event.",
        ["constraints"] = "Peer-reviewed or well-known industry sources since 2015; English only.",
    };

    private PromptLibrary _library = null!;
    private RenderedPrompt _reference = null!;
    private FluidParser _parser = null!;
    private TemplateOptions _options = null!;
    private IFluidTemplate _fluidSystem = null!;
    private IFluidTemplate _fluidUser = null!;
    private string _seedSystem = null!;
    private string _seedUser = null!;

    [GlobalSetup]
    public void Setup()
    {
        var directory = FindPromptsDirectory();
        _library = new PromptLibrary(new PromptLibraryOptions { Directory = directory });
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(directory, "researcher", "literature_review@1.0.yaml"))));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        _seedSystem = ((YamlScalarNode)root["system"]).Value!;
        _seedUser = ((YamlScalarNode)root["user"]).Value!;
        _reference = _library.Render("researcher/literature_review", Variables, "1.0");
        _parser = new FluidParser();
        _options = new TemplateOptions();
        _fluidSystem = _parser.Parse(_seedSystem);
        _fluidUser = _parser.Parse(_seedUser);
    }

    [GlobalCleanup]
    public void Cleanup() => _library.Dispose();

    [Benchmark(Description = "PromptLibrary.Render (strict, typed, messages)")]
    public RenderedPrompt Library() => _library.Render("researcher/literature_review", Variables, "1.0");

    [Benchmark(Baseline = true, Description = "string.Replace baseline")]
    public IReadOnlyList<ChatMessage> StringReplace()
    {
        var system = _seedSystem
            .Replace("{{ context }}", (string)Variables["context"]!, StringComparison.Ordinal)
            .Replace("{{ constraints }}", (string)Variables["constraints"]!, StringComparison.Ordinal);
        var user = _seedUser.Replace("{{ topic }}", (string)Variables["topic"]!, StringComparison.Ordinal);
        return
        [
            new ChatMessage(ChatRole.System, system),
            new ChatMessage(ChatRole.User, _reference.Messages[1].Text),
            new ChatMessage(ChatRole.Assistant, _reference.Messages[2].Text),
            new ChatMessage(ChatRole.User, user),
        ];
    }

    [Benchmark(Description = "Fluid directly (no checks)")]
    public IReadOnlyList<ChatMessage> FluidDirect()
    {
        var context = new TemplateContext(_options);
        foreach (var (name, value) in Variables)
        {
            context.SetValue(name, value);
        }

        return
        [
            new ChatMessage(ChatRole.System, _fluidSystem.Render(context)),
            new ChatMessage(ChatRole.User, _reference.Messages[1].Text),
            new ChatMessage(ChatRole.Assistant, _reference.Messages[2].Text),
            new ChatMessage(ChatRole.User, _fluidUser.Render(context)),
        ];
    }

    private static string FindPromptsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "prompts", "researcher");
            if (Directory.Exists(candidate))
            {
                return Path.Combine(dir.FullName, "prompts");
            }
        }

        throw new DirectoryNotFoundException("prompts/ not found above " + AppContext.BaseDirectory);
    }
}
