using System.Xml.Linq;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>
/// What keeps the server publishable with Native AOT (<c>dotnet publish src/CompanyOs.Server -c Release -r linux-x64
/// -p:PublishAot=true</c>, see docs/benchmarks.md): checked on the project files, because the publish itself (minutes of
/// native compilation) is too slow for CI.
/// </summary>
public sealed class NativeAotReadinessTests
{
    private static readonly string ServerProject = Path.Combine("src", "CompanyOs.Server", "CompanyOs.Server.csproj");

    [Fact]
    public void The_server_references_no_executable_project()
    {
        // A self-contained or AOT publish refuses a reference to an executable (NETSDK1150); the emulator used to be one.
        var executables = ReferencedProjects(ServerProject).Where(p => OutputType(p) is "Exe" or "WinExe").ToList();

        Assert.True(executables.Count == 0, "the server references executable projects: " + string.Join(", ", executables));
    }

    [Fact]
    public void The_token_data_assemblies_are_rooted_for_native_aot()
    {
        // The tiktoken data packages are loaded by name and referenced by no code: without a root the native compiler left
        // them out and every call that estimates prompt tokens (TPM limits, budgets) answered 500 in the AOT server
        // (FileNotFoundException: "Cannot load assembly 'Microsoft.ML.Tokenizers.Data.O200kBase'", issue 17, 2026-12-02).
        var data = Load(Path.Combine("src", "CompanyOs.Llm", "CompanyOs.Llm.csproj")).Descendants("PackageReference")
            .Select(r => (string?)r.Attribute("Include"))
            .Where(name => name?.StartsWith("Microsoft.ML.Tokenizers.Data.", StringComparison.Ordinal) == true)
            .ToList();
        var rooted = Load(ServerProject).Descendants("TrimmerRootAssembly").Select(r => (string?)r.Attribute("Include")).ToList();

        Assert.NotEmpty(data);
        Assert.All(data, name => Assert.Contains(name, rooted));
    }

    [Fact]
    public void Every_library_the_server_references_runs_the_trimming_and_AOT_analyzers()
    {
        // IsAotCompatible turns the IL2026/IL3050/IL2075 analyzers on in every build; with TreatWarningsAsErrors a new
        // reflection-based call on a path the server uses fails the ordinary build, not only an AOT publish.
        var unchecked_ = ReferencedProjects(ServerProject).Where(p => Property(p, "IsAotCompatible") != "true").ToList();

        Assert.True(unchecked_.Count == 0, "libraries without <IsAotCompatible>true</IsAotCompatible>: " + string.Join(", ", unchecked_));
    }

    /// <summary>The projects <paramref name="project"/> references, directly or not, as repository-relative paths.</summary>
    private static List<string> ReferencedProjects(string project)
    {
        var found = new List<string>();
        var pending = new Stack<string>([project]);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            var directory = Path.GetDirectoryName(Path.Combine(RepoPaths.Root, current))!;
            foreach (var reference in Load(current).Descendants("ProjectReference").Select(r => (string)r.Attribute("Include")!))
            {
                var path = Path.GetRelativePath(RepoPaths.Root, Path.GetFullPath(Path.Combine(directory, reference.Replace('\\', '/'))));
                if (!found.Contains(path))
                {
                    found.Add(path);
                    pending.Push(path);
                }
            }
        }

        return found;
    }

    private static string? OutputType(string project) => Property(project, "OutputType");

    private static string? Property(string project, string name) =>
        Load(project).Descendants(name).Select(e => e.Value.Trim()).LastOrDefault();

    private static XDocument Load(string project) => XDocument.Load(Path.Combine(RepoPaths.Root, project));
}
