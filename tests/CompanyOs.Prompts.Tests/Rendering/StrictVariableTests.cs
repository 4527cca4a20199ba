using CompanyOs.Prompts.Tests.Support;
using static CompanyOs.Prompts.Tests.Support.LibraryFixture;

namespace CompanyOs.Prompts.Tests.Rendering;

public sealed class StrictVariableTests : IDisposable
{
    private const string Template = """
        version: "2.1"
        system: |
          Topic: {{ topic }}
          {%- if notes %} Notes: {{ notes }}{% endif %}
          Limit: {{ limit }} Deep: {{ deep }}
          {%- for tag in tags %} #{{ tag }}{% endfor %}
          Owner: {{ owner.name | default: "nobody" }}
        variables:
          - topic
          - name: notes
            required: false
          - name: limit
            type: number
            default: 3
          - name: deep
            type: boolean
            default: false
          - name: tags
            type: list
            default: [a, b]
          - name: owner
            type: object
            required: false
        """;

    private readonly TempPromptDirectory _dir = new();
    private readonly Prompts.Library.PromptLibrary _library;

    public StrictVariableTests() => _library = Create(_dir, ("researcher/strict.yaml", Template));

    public void Dispose()
    {
        _library.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Defaults_are_applied_and_optional_variables_are_nil()
    {
        var rendered = _library.Render("researcher/strict", Vars(("topic", "Rust")));

        Assert.Equal("Topic: Rust\nLimit: 3 Deep: false #a #b\nOwner: nobody\n", rendered.System);
    }

    [Fact]
    public void Supplied_values_of_every_type_render()
    {
        var rendered = _library.Render("researcher/strict", Vars(
            ("topic", "Go"), ("notes", "fast"), ("limit", 10L), ("deep", true), ("tags", new List<string> { "x" }),
            ("owner", new Dictionary<string, object?> { ["name"] = "Ada" })));

        Assert.Equal("Topic: Go Notes: fast\nLimit: 10 Deep: true #x\nOwner: Ada\n", rendered.System);
    }

    [Fact]
    public void Records_can_be_passed_as_objects()
    {
        var rendered = _library.Render("researcher/strict", Vars(("topic", "Go"), ("owner", new Owner("Grace"))));

        Assert.EndsWith("Owner: Grace\n", rendered.System, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_required_variable_names_template_version_variable_and_line()
    {
        var e = Assert.Throws<PromptException>(() => _library.Render("researcher/strict", Vars(("notes", "x"))));

        Assert.Equal("researcher/strict", e.Template);
        Assert.Equal("2.1", e.Version);
        Assert.Equal("topic", e.Variable);
        Assert.Equal(9, e.Line);
        Assert.Equal(_dir.PathOf("researcher/strict.yaml"), e.File);
        Assert.Contains("missing required variable 'topic' for prompt 'researcher/strict' v2.1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_for_a_required_variable_counts_as_missing()
    {
        var e = Assert.Throws<PromptException>(() => _library.Render("researcher/strict", Vars(("topic", null))));

        Assert.Equal("topic", e.Variable);
    }

    [Fact]
    public void Unknown_variable_is_rejected_and_the_declared_ones_are_listed()
    {
        var e = Assert.Throws<PromptException>(() => _library.Render("researcher/strict", Vars(("topic", "x"), ("topik", "y"))));

        Assert.Equal("topik", e.Variable);
        Assert.Equal("2.1", e.Version);
        Assert.Contains("unknown variable 'topik'", e.Message, StringComparison.Ordinal);
        Assert.Contains("deep, limit, notes, owner, tags, topic", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("topic", 42, "must be a string, got a number")]
    [InlineData("limit", "ten", "must be a number, got a string")]
    [InlineData("deep", "yes", "must be a boolean, got a string")]
    [InlineData("tags", "a,b", "must be a list, got a string")]
    [InlineData("owner", 5, "must be a object, got a number")]
    public void Wrong_type_is_rejected(string variable, object value, string fragment)
    {
        var variables = Vars(("topic", "x"));
        variables[variable] = value;

        var e = Assert.Throws<PromptException>(() => _library.Render("researcher/strict", variables));

        Assert.Equal(variable, e.Variable);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dictionary_is_not_accepted_as_a_list()
    {
        var e = Assert.Throws<PromptException>(() => _library.Render("researcher/strict", Vars(("topic", "x"), ("tags", new Dictionary<string, object?>()))));

        Assert.Contains("must be a list, got an object", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Variable_read_before_the_template_assigns_it_fails_at_render_with_line()
    {
        using var dir = new TempPromptDirectory();
        using var library = Create(dir, ("researcher/late.yaml", "version: \"1.0\"\nsystem: |\n  first\n  {{ later }}\n  {% assign later = 1 %}\n"));

        var e = Assert.Throws<PromptException>(() => library.Render("researcher/late", Vars()));

        Assert.Equal("later", e.Variable);
        Assert.Equal("1.0", e.Version);
        Assert.Equal(4, e.Line);
        Assert.Contains("undefined variable 'later'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_prompt_is_a_clear_error()
    {
        var e = Assert.Throws<PromptException>(() => _library.Render("researcher/nope", Vars()));

        Assert.Equal("researcher/nope", e.Template);
        Assert.Contains("unknown prompt 'researcher/nope'; known prompts: researcher/strict", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Liquid_output_is_not_html_encoded()
    {
        var rendered = _library.Render("researcher/strict", Vars(("topic", "<b> & \"q\"")));

        Assert.StartsWith("Topic: <b> & \"q\"", rendered.System, StringComparison.Ordinal);
    }

    private sealed record Owner(string Name);
}
