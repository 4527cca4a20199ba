using System.Text.Json;
using BenchmarkDotNet.Attributes;
using CompanyOs.Tools;
using CompanyOs.Tools.FileSystem;

namespace CompanyOs.Benchmarks.Tools;

/// <summary>
/// <c>read_file</c> of a small text file (path resolution with a statx per component, type checks, fd re-check, text detection)
/// against a bare <see cref="File.ReadAllTextAsync(string, CancellationToken)"/> of the same file.
/// </summary>
[MemoryDiagnoser]
public class ReadFileBenchmarks : IDisposable
{
    private readonly ToolInvocationContext _context = new("bench", null, "call");
    private string _root = null!;
    private string _file = null!;
    private ReadFileTool _tool = null!;
    private ConfinedPathResolver _resolver = null!;
    private JsonElement _arguments;

    [GlobalSetup]
    public void Setup()
    {
        _root = Directory.CreateTempSubdirectory("companyos-bench-").FullName;
        Directory.CreateDirectory(Path.Combine(_root, "docs", "notes"));
        _file = Path.Combine(_root, "docs", "notes", "small.txt");
        File.WriteAllText(_file, string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog.\n", 90))); // ~4 KB
        var options = new FileSystemToolOptions { Roots = [_root] };
        _resolver = new ConfinedPathResolver(options.Roots);
        _tool = new ReadFileTool(_resolver, options);
        _arguments = JsonDocument.Parse("""{"path":"docs/notes/small.txt"}""").RootElement.Clone();
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
    public Task<string> File_ReadAllText() => File.ReadAllTextAsync(_file);

    [Benchmark]
    public Task<ToolResult> Read_file_tool() => _tool.InvokeAsync(_arguments, _context);

    [Benchmark]
    public PathResolution Resolve_path_only() => _resolver.Resolve("docs/notes/small.txt");
}
