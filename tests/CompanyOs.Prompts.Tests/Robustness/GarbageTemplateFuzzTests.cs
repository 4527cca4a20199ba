using System.Diagnostics;
using System.Text;
using CompanyOs.Prompts.Diagnostics;
using CompanyOs.Prompts.Library;
using CompanyOs.Prompts.Linting;
using CompanyOs.Prompts.Tests.Support;

namespace CompanyOs.Prompts.Tests.Robustness;

/// <summary>
/// Nothing a template file contains may crash the host: 2,000 broken files (truncated and mutated shipped prompts, garbage,
/// deep nesting, alias bombs), generated from a fixed seed, must each come back as diagnostics, never as an exception,
/// a stack overflow or a hang.
/// </summary>
public sealed class GarbageTemplateFuzzTests
{
    private const int Seed = 20_261_201;
    private const int Count = 2_000;

    private static readonly string[] Fragments =
    [
        "[\n", "]", "{", "}", "variables: [\n", "variables: {\n", "&a ", "*a ", "*zz", "- ", ": ", "? ", "\t", "\"", "'", "|\n", ">-\n",
        "---\n", "...\n", "!!binary ", "!tag ", "%YAML 1.2\n", "{% if x %}", "{% for i in (1..9) %}", "{{", "}}", "%}", "{%", "\0", "\r", "\u2028",
        "#", ",", "@", "`", "default: &d [1, *d]\n", "<<: *a\n", "\\", "\ufeff",
    ];

    [Fact]
    public void Two_thousand_broken_files_all_become_diagnostics()
    {
        var random = new Random(Seed);
        var shipped = Directory.GetFiles(ShippedPrompts.Root, "*.yaml", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllText)
            .ToArray();
        Assert.NotEmpty(shipped);
        var linter = new PromptLinter();
        var root = Path.Combine(Path.GetTempPath(), "companyos-fuzz");
        var file = Path.Combine(root, "researcher", "fuzz.yaml");
        var withErrors = 0;
        var slowest = TimeSpan.Zero;

        for (var i = 0; i < Count; i++)
        {
            var content = Generate(random, shipped, i);
            var watch = Stopwatch.StartNew();
            IReadOnlyList<PromptDiagnostic> diagnostics;
            try
            {
                diagnostics = linter.LintText(root, file, content);
            }
            catch (Exception e)
            {
                Assert.Fail($"input #{i} threw {e.GetType().Name}: {e.Message}{Environment.NewLine}--- input ---{Environment.NewLine}{Shorten(content)}");
                throw;
            }

            slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
            Assert.All(diagnostics, d =>
            {
                Assert.Equal(file, d.File);
                Assert.True(d.Line >= 0, d.ToString());
                Assert.False(string.IsNullOrWhiteSpace(d.Message), d.ToString());
            });
            Assert.All(diagnostics.Where(d => d.Code == PromptDiagnosticCodes.InvalidYaml), d => Assert.True(d.Line >= 1, $"input #{i}: {d}"));
            withErrors += diagnostics.Any(d => d.Severity == PromptDiagnosticSeverity.Error) ? 1 : 0;
        }

        // The generator must really produce broken files, or this test proves nothing.
        Assert.True(withErrors > Count * 3 / 4, $"only {withErrors} of {Count} inputs had errors");
        Assert.True(slowest < TimeSpan.FromSeconds(5), $"one input took {slowest}");
    }

    [Fact]
    public void A_library_over_a_directory_of_garbage_loads_and_reports_instead_of_throwing()
    {
        var random = new Random(Seed + 1);
        var shipped = Directory.GetFiles(ShippedPrompts.Root, "*.yaml", SearchOption.AllDirectories).Select(File.ReadAllText).ToArray();
        using var dir = new TempPromptDirectory();
        for (var i = 0; i < 40; i++)
        {
            dir.Write($"researcher/f{i:D2}.yaml", Generate(random, shipped, i));
        }

        using var library = new PromptLibrary(new PromptLibraryOptions { Directory = dir.Root, FailOnLoadErrors = false });

        Assert.NotEmpty(library.LoadErrors);
        Assert.All(library.LoadErrors, d => Assert.StartsWith(dir.Root, d.File, StringComparison.Ordinal));
    }

    private static string Generate(Random random, string[] shipped, int index)
    {
        var source = shipped[random.Next(shipped.Length)];
        return (index % 8) switch
        {
            0 => source[..random.Next(source.Length)],
            1 or 2 => Insert(random, source, random.Next(1, 4)),
            3 => Replace(random, source, random.Next(1, 8)),
            4 => Insert(random, source[..random.Next(source.Length)], 1),
            5 => Garbage(random),
            6 => Nested(random),
            _ => Insert(random, Replace(random, source, 2), 2),
        };
    }

    private static string Insert(Random random, string text, int times)
    {
        for (var i = 0; i < times; i++)
        {
            var at = random.Next(text.Length + 1);
            text = text[..at] + Fragments[random.Next(Fragments.Length)] + text[at..];
        }

        return text;
    }

    private static string Replace(Random random, string text, int times)
    {
        var chars = text.ToCharArray();
        const string Structural = "[]{}:-&*!|>'\"#%@`,?\n\t ";
        for (var i = 0; i < times && chars.Length > 0; i++)
        {
            chars[random.Next(chars.Length)] = Structural[random.Next(Structural.Length)];
        }

        return new string(chars);
    }

    private static string Garbage(Random random)
    {
        var builder = new StringBuilder();
        var length = random.Next(0, 400);
        for (var i = 0; i < length; i++)
        {
            builder.Append(random.Next(4) == 0 ? Fragments[random.Next(Fragments.Length)] : (char)random.Next(0, 0x300));
        }

        return builder.ToString();
    }

    /// <summary>Structures that overflow a recursive parser or explode when expanded.</summary>
    private static string Nested(Random random)
    {
        var depth = random.Next(2) == 0 ? random.Next(50, 200) : random.Next(20_000, 120_000);
        return random.Next(7) switch
        {
            0 => "version: \"1.0\"\nsystem: s\nx: " + new string('[', depth) + new string(']', depth) + "\n",
            1 => "version: \"1.0\"\nsystem: s\nx: " + string.Concat(Enumerable.Repeat("{a: ", depth)) + "1" + new string('}', depth) + "\n",
            2 => "version: \"1.0\"\nsystem: \"" + string.Concat(Enumerable.Repeat("{% if a %}", depth)) + string.Concat(Enumerable.Repeat("{% endif %}", depth)) + "\"\nvariables: [a]\n",
            3 => "version: \"1.0\"\nsystem: \"{{ " + new string('(', depth) + "a" + new string(')', depth) + " }}\"\nvariables: [a]\n",
            4 => "version: \"1.0\"\nsystem: \"{{ a" + string.Concat(Enumerable.Repeat("[a", depth)) + new string(']', depth) + " }}\"\nvariables: [a]\n",
            5 => Laughs(random.Next(3, 12)),
            _ => "version: \"1.0\"\nsystem: \"{{ a }}\"\nvariables:\n  - name: a\n    default: &d [1, *d]\n",
        };
    }

    private static string Laughs(int levels)
    {
        var builder = new StringBuilder("version: \"1.0\"\nsystem: \"{{ a }}\"\nx0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < levels; i++)
        {
            builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"x{i}: &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]\n");
        }

        builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"variables:\n  - name: a\n    default: *l{levels - 1}\n");
        return builder.ToString();
    }

    private static string Shorten(string text) => text.Length <= 600 ? text : text[..600] + "…";
}
