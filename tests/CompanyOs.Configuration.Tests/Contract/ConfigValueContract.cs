namespace CompanyOs.Configuration.Tests.Contract;

/// <summary>
/// The rules every configuration file follows for one string setting: <c>${VAR}</c>, <c>${VAR:-default}</c>, unset and empty
/// variables, null and empty values. One near-empty subclass per file kind (llm.yaml, tools.yaml, agents/*.yaml) proves
/// that the same text means the same thing in each.
/// </summary>
public abstract class ConfigValueContract
{
    private const string Variable = "COMPANYOS_PROBE_URL";

    /// <summary>The file name passed to the loader (and expected in errors).</summary>
    protected abstract string FileName { get; }

    /// <summary>The dotted path of the probed setting.</summary>
    protected abstract string KeyPath { get; }

    /// <summary>A valid file whose probed setting is written as <paramref name="value"/> (YAML as written); null leaves the key out.</summary>
    protected abstract string Document(string? value);

    /// <summary>Loads <paramref name="yaml"/> with <paramref name="environment"/> and returns the probed setting as text.</summary>
    protected abstract string? Read(string yaml, Func<string, string?> environment);

    private string? Read(string? value, string? variableValue = null) =>
        Read(Document(value), name => name == Variable ? variableValue : null);

    private ConfigurationException Fails(string value, string? variableValue = null)
    {
        var yaml = Document(value);
        var e = Assert.Throws<ConfigurationException>(() => Read(yaml, name => name == Variable ? variableValue : null));
        Assert.Equal(FileName, e.File);
        Assert.Equal(KeyPath, e.KeyPath);
        var expectedLine = Array.FindIndex(yaml.Split('\n'), l => l.Contains(value, StringComparison.Ordinal)) + 1;
        Assert.Equal(expectedLine, e.Line);
        Assert.StartsWith($"{FileName}: {KeyPath}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains($"(line {expectedLine}, column ", e.Message, StringComparison.Ordinal);
        return e;
    }

    [Fact]
    public void A_plain_value_is_read_as_written() =>
        Assert.Equal("http://plain.example/", Read("http://plain.example/"));

    [Fact]
    public void Default_is_used_when_the_variable_is_unset() =>
        Assert.Equal("http://default.example/", Read($"\"${{{Variable}:-http://default.example/}}\""));

    [Fact]
    public void Default_is_used_when_the_variable_is_empty() =>
        Assert.Equal("http://default.example/", Read($"\"${{{Variable}:-http://default.example/}}\"", variableValue: string.Empty));

    [Fact]
    public void Unquoted_default_works_too() =>
        Assert.Equal("http://default.example/", Read($"${{{Variable}:-http://default.example/}}"));

    [Fact]
    public void A_set_variable_wins_over_the_default() =>
        Assert.Equal("http://env.example/", Read($"\"${{{Variable}:-http://default.example/}}\"", variableValue: "http://env.example/"));

    [Fact]
    public void A_set_variable_is_substituted() =>
        Assert.Equal("http://env.example/", Read($"\"${{{Variable}}}\"", variableValue: "http://env.example/"));

    [Fact]
    public void A_reference_inside_text_is_substituted() =>
        Assert.Equal("http://env.example/v1", Read($"\"http://${{{Variable}}}/v1\"", variableValue: "env.example"));

    [Fact]
    public void An_unset_variable_without_default_is_an_error_naming_file_key_line_and_variable()
    {
        var e = Fails($"\"${{{Variable}}}\"");

        Assert.Contains($"environment variable '{Variable}' is not set", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_variable_without_default_is_the_same_error_as_an_unset_one()
    {
        var unset = Fails($"\"${{{Variable}}}\"");
        var empty = Fails($"\"${{{Variable}}}\"", variableValue: string.Empty);

        Assert.Equal(unset.Message, empty.Message);
    }

    [Theory]
    [InlineData("~")]
    [InlineData("null")]
    [InlineData("")]
    public void Null_means_the_same_as_an_absent_key(string value) =>
        Assert.Equal(Read(null), Read(value));

    [Fact]
    public void An_empty_string_is_an_error_naming_file_key_and_line()
    {
        var e = Fails("\"\"");

        Assert.Contains("must not be empty", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_default_is_an_empty_string()
    {
        var e = Fails($"\"${{{Variable}:-}}\"");

        Assert.Contains("must not be empty", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quoted_null_is_text_not_null() =>
        Assert.NotEqual(Read(null), ReadOrError("\"null\""));

    [Theory]
    [InlineData(null)]
    [InlineData("http://env.example/")]
    public void A_nested_reference_in_a_default_is_an_error_not_a_placeholder_value(string? variableValue)
    {
        // Read naively, "${A:-${B}}" has the default "${B" and, with A unset, the value "${B}": the placeholder itself.
        var e = Fails($"\"${{{Variable}:-${{OTHER_URL}}}}\"", variableValue);

        Assert.Contains("a nested ${…} is not expanded", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_reference_is_an_error() =>
        Assert.Contains("unterminated '${'", Fails($"\"${{{Variable}\"").Problem, StringComparison.Ordinal);

    [Theory]
    [InlineData("extra: [\n")]
    [InlineData("extra: \"unclosed\n")]
    [InlineData("extra:\n\t- tab\n")]
    public void Malformed_yaml_is_a_configuration_error_naming_the_file(string tail)
    {
        var e = Assert.Throws<ConfigurationException>(() => Read(Document("http://plain.example/") + tail, _ => null));

        Assert.Equal(FileName, e.File);
        Assert.Contains("malformed YAML", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_an_error_naming_the_line()
    {
        // 100,000 levels (a 100 KB file) took gigabytes (a longer key path per level) or overflowed the recursive document model.
        var yaml = Document("http://plain.example/") + "extra: " + new string('[', 200) + new string(']', 200) + "\n";

        var e = Assert.Throws<ConfigurationException>(() => Read(yaml, _ => null));

        Assert.Equal(FileName, e.File);
        Assert.Contains("nested deeper than 64 levels", e.Problem, StringComparison.Ordinal);
        Assert.Equal(yaml.Count(c => c == '\n'), e.Line);
    }

    [Fact]
    public void A_repeated_key_is_an_error_naming_both_lines()
    {
        var yaml = Document("http://first.example/");
        var line = yaml.Split('\n').First(l => l.Contains("http://first.example/", StringComparison.Ordinal));
        yaml += line.Replace("first", "second", StringComparison.Ordinal) + "\n";

        var e = Assert.Throws<ConfigurationException>(() => Read(yaml, _ => null));

        Assert.Equal(KeyPath, e.KeyPath);
        Assert.Contains("duplicate key", e.Problem, StringComparison.Ordinal);
        Assert.Equal(yaml.Count(c => c == '\n'), e.Line);
    }

    private string? ReadOrError(string value)
    {
        try
        {
            return Read(value);
        }
        catch (ConfigurationException e)
        {
            return e.Message;
        }
    }
}
