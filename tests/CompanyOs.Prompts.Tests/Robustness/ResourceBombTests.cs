using System.Diagnostics;
using CompanyOs.Prompts.Diagnostics;
using CompanyOs.Prompts.Library;
using CompanyOs.Prompts.Linting;
using CompanyOs.Prompts.Tests.Support;
using static CompanyOs.Prompts.Tests.Support.LibraryFixture;

namespace CompanyOs.Prompts.Tests.Robustness;

/// <summary>
/// Templates that try to exhaust memory, time or the stack while rendering or loading must fail fast with a
/// <see cref="PromptException"/> (or a load diagnostic) that names the template, the version and the limit.
/// </summary>
public sealed class ResourceBombTests : IDisposable
{
    /// <summary>Generous for a shared CI machine; each bomb fails in milliseconds once bounded (unbounded: tens of seconds or an abort).</summary>
    private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(5);

    private readonly TempPromptDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_huge_range_is_refused_before_it_is_allocated()
    {
        var e = RenderFails("{% for i in (1..100000000) %}{% break %}{% endfor %}");

        Assert.Contains("range", e.Message, StringComparison.Ordinal);
        Assert.Contains("100000000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_range_piped_into_a_filter_is_refused_too()
    {
        var e = RenderFails("{{ (1..100000000) | size }}");

        Assert.Contains("range", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Thirty_append_doublings_stop_at_the_value_size_limit()
    {
        var e = RenderFails("{% assign s = 'ab' %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}");

        Assert.Contains("'append'", e.Message, StringComparison.Ordinal);
        Assert.Contains("1000000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Capture_doublings_stop_at_the_value_size_limit()
    {
        var e = RenderFails("{% assign s = 'ab' %}{% for i in (1..30) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s | size }}");

        Assert.Contains("1000000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Replace_cannot_square_a_string_in_one_call()
    {
        // 1,000 'a' with each 'a' replaced by the 1,000-character string twice over: 10^9 characters from one expression.
        var e = RenderFails("{% assign s = 'a' %}{% for i in (1..10) %}{% assign s = s | append: s %}{% endfor %}{{ s | replace: 'a', s | replace: 'a', s | size }}");

        Assert.Contains("'replace'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Join_cannot_multiply_a_list_by_a_long_separator()
    {
        var e = RenderFails("{% assign s = 'a' %}{% for i in (1..19) %}{% assign s = s | append: s %}{% endfor %}{{ (1..50000) | join: s | size }}");

        Assert.Contains("'join'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_big_list_run_through_filters_in_a_loop_is_not_measured_again_each_time()
    {
        // 400,000 numbers (size 800,000, under the limit) passed through a filter 30,000 times: measuring the list on
        // every call would take minutes of CPU.
        _dir.Write("researcher/loop.yaml", "version: \"1.0\"\nsystem: \"{% assign big = (1..100000) %}{% assign big = big | concat: big %}{% assign big = big | concat: big %}{% for i in (1..30000) %}{% assign n = big | default: 1 | size %}{% endfor %}{{ n }}\"\n");
        using var library = new PromptLibrary(new PromptLibraryOptions { Directory = _dir.Root });

        var watch = Stopwatch.StartNew();
        var rendered = library.Render("researcher/loop", Vars());

        Assert.Equal("400000", rendered.System);
        Assert.True(watch.Elapsed < Quickly, $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData("{{ '{0,999999999}' | format_string: 'x' | size }}")]
    [InlineData("{{ 7 | format_number: 'D999999999' | size }}")]
    public void Formats_cannot_ask_for_a_gigantic_width(string template)
    {
        var e = RenderFails(template);

        Assert.Contains("999999999", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_larger_than_the_configured_maximum_names_template_version_and_limit()
    {
        _dir.Write("researcher/big.yaml", "version: \"2.3\"\nsystem: \"{% for i in (1..5000) %}0123456789{% endfor %}\"\n");
        using var library = new PromptLibrary(new PromptLibraryOptions { Directory = _dir.Root, MaxRenderedSize = 10_000 });

        var e = Assert.Throws<PromptException>(() => library.Render("researcher/big", Vars()));

        Assert.Equal("researcher/big", e.Template);
        Assert.Equal("2.3", e.Version);
        Assert.Contains("'researcher/big' v2.3", e.Message, StringComparison.Ordinal);
        Assert.Contains("maximum rendered size of 10000 characters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rendered_size_limit_counts_every_message_of_the_prompt()
    {
        const string Template = """
            version: "1.0"
            system: "{% for i in (1..600) %}0123456789{% endfor %}"
            user: "{% for i in (1..600) %}0123456789{% endfor %}"
            """;
        _dir.Write("researcher/two.yaml", Template);
        using var enough = new PromptLibrary(new PromptLibraryOptions { Directory = _dir.Root, MaxRenderedSize = 12_000 });
        using var tooSmall = new PromptLibrary(new PromptLibraryOptions { Directory = _dir.Root, MaxRenderedSize = 11_000 });

        var rendered = enough.Render("researcher/two", Vars());
        var e = Assert.Throws<PromptException>(() => tooSmall.Render("researcher/two", Vars()));

        Assert.Equal(6_000, rendered.System!.Length);
        Assert.Equal(6_000, rendered.User!.Length);
        Assert.Contains("rendering 'user' of prompt 'researcher/two' v1.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("maximum rendered size of 11000 characters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chain_of_filters_in_a_loop_is_stopped_at_the_render_time_limit()
    {
        // One statement is one step whatever it does: 45,000 steps, each upcasing a 655,360-character string, ran for 25 s
        // within the step and size limits (and a longer filter chain per statement for as long as one liked).
        _dir.Write("researcher/slow.yaml", "version: \"1.2\"\nsystem: \"{% assign s = 'xxxxxxxxxx' %}{% for i in (1..16) %}{% assign s = s | append: s %}{% endfor %}{% for i in (1..45000) %}{% assign t = s | upcase | downcase %}{% endfor %}{{ t | size }}\"\n");
        using var library = new PromptLibrary(new PromptLibraryOptions { Directory = _dir.Root, MaxRenderTime = TimeSpan.FromMilliseconds(300) });

        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<PromptException>(() => library.Render("researcher/slow", Vars()));

        Assert.True(watch.Elapsed < Quickly, $"took {watch.Elapsed}");
        Assert.Equal("researcher/slow", e.Template);
        Assert.Contains("'system' of prompt 'researcher/slow' v1.2", e.Message, StringComparison.Ordinal);
        Assert.Contains("longer than 0.3 s (PromptLibraryOptions.MaxRenderTime)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_render_time_limit_runs_on_the_configured_clock()
    {
        // Every reading of the fake clock moves it on 1 ms: the 1,001st filter call is past a 1 s limit however fast it runs.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        _dir.Write("researcher/many.yaml", "version: \"1.0\"\nsystem: \"{% for i in (1..2000) %}{% assign t = i | plus: 1 %}{% endfor %}{{ t }}\"\n");
        _dir.Write("researcher/few.yaml", "version: \"1.0\"\nsystem: \"{% for i in (1..900) %}{% assign t = i | plus: 1 %}{% endfor %}{{ t }}\"\n");
        using var library = new PromptLibrary(new PromptLibraryOptions { Directory = _dir.Root, MaxRenderTime = TimeSpan.FromSeconds(1), TimeProvider = clock });

        Assert.Equal("901", library.Render("researcher/few", Vars()).System);
        var e = Assert.Throws<PromptException>(() => library.Render("researcher/many", Vars()));
        Assert.Contains("stopped at filter 'plus'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_step_limit_error_speaks_of_steps_not_of_include_statements()
    {
        var e = RenderFails("{% for i in (1..1000) %}{% for j in (1..1000) %}{% endfor %}{% endfor %}");

        Assert.Contains("100000 steps", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("include", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("cyclic", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(" and true", 1_000)]
    [InlineData(" | upcase", 1_000)]
    [InlineData(" or a contains 'b'", 1_000)]
    [InlineData(" and true", 100_000)]
    [InlineData(" | upcase", 100_000)]
    public void A_long_chain_of_operators_or_filters_is_a_load_error_not_a_stack_overflow(string link, int count)
    {
        // Fluid builds a chain as a tree as deep as it is long and walks it recursively: 100,000 'and' (900 KB) overflowed
        // the stack while the template was compiled, which no catch survives (exit 134 — in a server, at a hot reload).
        var chain = string.Concat(Enumerable.Repeat(link, count));
        var liquid = link.StartsWith(" |", StringComparison.Ordinal) ? $"{{{{ a{chain} }}}}" : $"{{% if true{chain} %}}y{{% endif %}}";
        var content = $"version: \"1.0\"\nvariables: [a]\nsystem: \"{liquid}\"\n";

        var error = LintFails(content);

        Assert.Equal(PromptDiagnosticCodes.TemplateSyntax, error.Code);
        Assert.Equal(3, error.Line);
        Assert.Contains("chains more than 200 filters or operators", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_default_nested_ten_thousand_lists_deep_is_a_load_error_not_a_stack_overflow()
    {
        var content = "version: \"1.0\"\nsystem: \"{{ deep }}\"\nvariables:\n  - name: deep\n    default: "
            + new string('[', 10_000) + new string(']', 10_000) + "\n";

        var error = LintFails(content);

        Assert.Equal(PromptDiagnosticCodes.InvalidYaml, error.Code);
        Assert.Equal(5, error.Line);
        Assert.Contains("nested deeper than 64 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_default_nested_deeper_than_its_own_limit_is_a_variable_error()
    {
        var content = "version: \"1.0\"\nsystem: \"{{ deep }}\"\nvariables:\n  - name: deep\n    default: "
            + new string('[', 40) + new string(']', 40) + "\n";

        var error = LintFails(content);

        Assert.Equal(PromptDiagnosticCodes.InvalidVariable, error.Code);
        Assert.Equal("deep", error.Variable);
        Assert.Contains("deeper than 16 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_billion_laughs_default_is_a_variable_error()
    {
        const string Content = """
            version: "1.0"
            system: "{{ lol | size }}"
            variables:
              - name: l0
                default: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]
              - name: l1
                default: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]
              - name: l2
                default: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]
              - name: l3
                default: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]
              - name: l4
                default: &l4 [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]
              - name: l5
                default: &l5 [*l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4, *l4]
              - name: l6
                default: &l6 [*l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5, *l5]
              - name: l7
                default: &l7 [*l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6, *l6]
              - name: l8
                default: &l8 [*l7, *l7, *l7, *l7, *l7, *l7, *l7, *l7, *l7, *l7]
              - name: lol
                default: [*l8, *l8, *l8, *l8, *l8, *l8, *l8, *l8, *l8, *l8]
            """;

        var watch = Stopwatch.StartNew();
        var diagnostics = new PromptLinter().LintText(_dir.Root, _dir.PathOf("researcher/lol.yaml"), Content);

        Assert.True(watch.Elapsed < Quickly, $"took {watch.Elapsed}");
        var error = Assert.Single(diagnostics, d => d.Variable == "lol" && d.Severity == PromptDiagnosticSeverity.Error);
        Assert.Equal(PromptDiagnosticCodes.InvalidVariable, error.Code);
        Assert.Contains("more than 10000 values", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_default_that_aliases_its_own_parent_is_a_variable_error()
    {
        var error = LintFails("version: \"1.0\"\nsystem: \"{{ a }}\"\nvariables:\n  - name: a\n    default: &d [1, *d]\n");

        Assert.Equal(PromptDiagnosticCodes.InvalidVariable, error.Code);
        Assert.Equal("a", error.Variable);
    }

    [Fact]
    public void Ordinary_templates_with_loops_captures_and_filters_still_render()
    {
        const string Template = """
            version: "1.0"
            system: |-
              {%- capture header %}Items for {{ owner | upcase }}{% endcapture -%}
              {{ header }}:
              {%- for item in items %} {{ forloop.index }}.{{ item | replace: "-", " " | capitalize }}{% endfor %}
              {%- assign numbers = (1..5) | join: "," %} [{{ numbers }}] {{ "{0:000}" | format_string: 7 }} {{ 3.14159 | format_number: "N2" }}
              {{- items | join: ", " | prepend: " (" | append: ")" }}
            variables:
              - owner
              - name: items
                type: list
                default: [first-thing, second-thing]
            """;
        using var library = Create(_dir, ("researcher/ok.yaml", Template));

        var rendered = library.Render("researcher/ok", Vars(("owner", "ada")));

        Assert.Equal("Items for ADA: 1.First thing 2.Second thing [1,2,3,4,5] 007 3.14 (first-thing, second-thing)", rendered.System);
    }

    [Fact]
    public void The_maximum_rendered_size_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PromptLibrary(new PromptLibraryOptions { Directory = _dir.Root, MaxRenderedSize = 0 }));
    }

    private PromptException RenderFails(string liquid)
    {
        _dir.Write("researcher/bomb.yaml", $"version: \"1.4\"\nsystem: \"{liquid.Replace("\"", "\\\"", StringComparison.Ordinal)}\"\n");
        using var library = new PromptLibrary(new PromptLibraryOptions { Directory = _dir.Root });

        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<PromptException>(() => library.Render("researcher/bomb", Vars()));

        Assert.True(watch.Elapsed < Quickly, $"took {watch.Elapsed}");
        Assert.Equal("researcher/bomb", e.Template);
        Assert.Equal("1.4", e.Version);
        Assert.Equal(_dir.PathOf("researcher/bomb.yaml"), e.File);
        Assert.Contains("'system' of prompt 'researcher/bomb' v1.4", e.Message, StringComparison.Ordinal);
        return e;
    }

    private PromptDiagnostic LintFails(string content)
    {
        var watch = Stopwatch.StartNew();
        var diagnostics = new PromptLinter().LintText(_dir.Root, _dir.PathOf("researcher/deep.yaml"), content);

        Assert.True(watch.Elapsed < Quickly, $"took {watch.Elapsed}");
        return Assert.Single(diagnostics, d => d.Severity == PromptDiagnosticSeverity.Error);
    }
}
