namespace CompanyOs.Configuration.Tests;

public sealed class ConfigNodeTests
{
    private const string File = "test.yaml";

    private static ConfigNode Root(string yaml, Func<string, string?>? environment = null) =>
        ConfigDocument.Parse(yaml, new ConfigReadContext(File, environment ?? (_ => null)));

    private static ConfigurationException Fails(Action read) => Assert.Throws<ConfigurationException>(read);

    [Fact]
    public void Unknown_key_suggests_the_closest_known_key_with_its_line()
    {
        var e = Fails(() => Root("a: 1\nmax_retires: 3\n").ExpectOnlyKeys(["a", "max_retries"]));

        Assert.Equal("max_retires", e.KeyPath);
        Assert.Equal(2, e.Line);
        Assert.Contains("unknown key 'max_retires'; did you mean 'max_retries'?", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_key_without_a_close_match_lists_the_known_keys()
    {
        var e = Fails(() => Root("zzz: 1\n").ExpectOnlyKeys(["alpha", "beta"]));

        Assert.Contains("known keys: alpha, beta", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_key_names_its_path_and_both_lines()
    {
        var e = Fails(() => Root("outer:\n  inner: 1\n  inner: 2\n"));

        Assert.Equal("outer.inner", e.KeyPath);
        Assert.Equal(3, e.Line);
        Assert.Contains("duplicate key 'inner'; first at line 2 (line 3, column 3)", e.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a: [1, 2")]
    [InlineData("a: \"unclosed\n")]
    [InlineData("variables: [\n")]
    [InlineData("a:\n\tb: 1\n")]
    public void Malformed_yaml_is_a_configuration_error_never_a_parser_exception(string yaml)
    {
        var e = Fails(() => Root(yaml));

        Assert.Equal(File, e.File);
        Assert.Contains("malformed YAML", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_documents_are_an_error() =>
        Assert.Contains("several YAML documents", Fails(() => Root("a: 1\n---\nb: 2\n")).Problem, StringComparison.Ordinal);

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("~\n")]
    public void An_empty_file_is_a_null_root(string yaml) =>
        Assert.True(Root(yaml).IsNull);

    [Fact]
    public void Numbers_and_booleans_may_come_from_the_environment()
    {
        var root = Root("n: ${N:-5}\nb: ${B}\n", name => name == "B" ? "true" : null);

        Assert.Equal(5, root.Child("n").AsInt());
        Assert.True(root.Child("b").AsBool());
    }

    [Fact]
    public void A_bad_number_from_the_environment_names_the_variable_not_its_value()
    {
        var e = Fails(() => Root("n: ${N}\n", _ => "SECRET-123").Child("n").AsInt());

        Assert.Contains("expected an integer, got the value of ${N}", e.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_url_from_the_environment_is_not_echoed()
    {
        var e = Fails(() => Root("url: ${URL}\n", _ => "not a url SECRET").Child("url").AsHttpUrl());

        Assert.DoesNotContain("SECRET", e.Message, StringComparison.Ordinal);
        Assert.Contains("the value of ${URL}", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_under_secret_keys_are_not_echoed()
    {
        var e = Fails(() => Root("server:\n  env:\n    TOKEN: [SECRET]\n").Child("server").Child("env").AsStringMap());

        Assert.Equal("server.env.TOKEN", e.KeyPath);
        Assert.DoesNotContain("SECRET", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quoted_number_is_a_type_error()
    {
        var e = Fails(() => Root("n: \"5\"\n").Child("n").AsInt());

        Assert.Contains("expected an integer, got the quoted string \"5\"", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void List_items_have_indexed_paths_and_their_own_lines()
    {
        var e = Fails(() => Root("tools:\n  - a\n  - \"\"\n").Child("tools").AsStringList());

        Assert.Equal("tools[1]", e.KeyPath);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void A_missing_key_reports_the_line_of_its_parent()
    {
        var e = Fails(() => Root("a: 1\nsection:\n  other: 2\n").Child("section").Child("name").AsRequiredString());

        Assert.Equal("section.name", e.KeyPath);
        Assert.Equal(3, e.Line);
        Assert.Contains("is required", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_with_dots_are_quoted_in_paths() =>
        Assert.Equal("servers[\"a.b\"]", Fails(() => Root("servers:\n  a.b: [x]\n").Child("servers").Entries()[0].Value.AsString()).KeyPath);

    [Fact]
    public void Invalid_variable_name_is_an_error() =>
        Assert.Contains("not a valid environment variable reference", Fails(() => Root("a: ${1X}\n").Child("a").AsString()).Problem, StringComparison.Ordinal);
}
