using System.Text.Json;
using BenchmarkDotNet.Attributes;
using CompanyOs.Tools;
using CompanyOs.Tools.FileSystem;
using CompanyOs.Tools.Registry;
using CompanyOs.Tools.Typed;

namespace CompanyOs.Benchmarks.Tools;

/// <summary>
/// Cost of validating one tool call's arguments against the tool's compiled JSON schema, against the cost of binding the same
/// arguments to the tool's C# record (which every call pays anyway).
/// </summary>
[MemoryDiagnoser]
public class SchemaValidationBenchmarks : IDisposable
{
    private readonly JsonElement _valid = JsonDocument.Parse("""{"path":"docs/tools.md","offset":0}""").RootElement.Clone();
    private readonly JsonElement _invalid = JsonDocument.Parse("""{"offset":"zero","extra":[1,2,3]}""").RootElement.Clone();
    private string _root = null!;
    private ToolRegistry _registry = null!;
    private ITool _tool = null!;

    [GlobalSetup]
    public void Setup()
    {
        _root = Directory.CreateTempSubdirectory("companyos-bench-").FullName;
        var options = new FileSystemToolOptions { Roots = [_root] };
        _tool = new ReadFileTool(new ConfinedPathResolver(options.Roots), options);
        _registry = new ToolRegistry([_tool]);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        if (_root is not null && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    public ReadFileArguments? Bind_arguments() => _valid.Deserialize<ReadFileArguments>(ToolJson.Options);

    [Benchmark]
    public IReadOnlyList<string> Validate_valid() => _registry.Validate(_tool, _valid);

    [Benchmark]
    public IReadOnlyList<string> Validate_invalid() => _registry.Validate(_tool, _invalid);
}
