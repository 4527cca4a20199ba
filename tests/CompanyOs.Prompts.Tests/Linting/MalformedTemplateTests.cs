using CompanyOs.Prompts.Diagnostics;
using CompanyOs.Prompts.Library;
using CompanyOs.Prompts.Linting;
using CompanyOs.Prompts.Tests.Support;

namespace CompanyOs.Prompts.Tests.Linting;

/// <summary>Each malformed file must produce a diagnostic with the right code, the file, the line and a message that says what is wrong.</summary>
public sealed class MalformedTemplateTests
{
    public static TheoryData<string, string, string, int, string> Cases => new()
    {
        // name, file content, expected code, expected line, expected message fragment
        { "yaml syntax", "version: \"1.0\"\nsystem: \"unclosed\n", PromptDiagnosticCodes.InvalidYaml, 2, "invalid YAML" },
        { "tab indentation", "version: \"1.0\"\nsystem:\n\t- x\n", PromptDiagnosticCodes.InvalidYaml, 3, "invalid tab as indentation" },
        { "duplicate key", "version: \"1.0\"\nsystem: a\nsystem: b\n", PromptDiagnosticCodes.InvalidYaml, 3, "invalid YAML" },
        { "empty file", "", PromptDiagnosticCodes.InvalidShape, 1, "file is empty" },
        { "root is a list", "- version: 1\n", PromptDiagnosticCodes.InvalidShape, 1, "must be a YAML mapping" },
        { "two documents", "version: \"1.0\"\nsystem: a\n---\nversion: \"2.0\"\n", PromptDiagnosticCodes.InvalidShape, 4, "several YAML documents" },
        { "typo in key", "version: \"1.0\"\nsytem: hello\nuser: hi\n", PromptDiagnosticCodes.UnknownKey, 2, "did you mean 'system'" },
        { "name key", "name: x\nversion: \"1.0\"\nsystem: hello\n", PromptDiagnosticCodes.UnknownKey, 1, "comes from the file path" },
        { "missing version", "system: hello\n", PromptDiagnosticCodes.MissingField, 1, "missing 'version'" },
        { "invalid version", "version: one\nsystem: hello\n", PromptDiagnosticCodes.InvalidVersion, 1, "'one' is not a version" },
        { "version is a list", "system: hello\nversion: [1]\n", PromptDiagnosticCodes.InvalidVersion, 2, "'version' must be a version" },
        { "no system nor user", "version: \"1.0\"\ndescription: nothing to say\n", PromptDiagnosticCodes.MissingField, 1, "neither 'system' nor 'user'" },
        { "system is a mapping", "version: \"1.0\"\nsystem:\n  text: hello\n", PromptDiagnosticCodes.InvalidShape, 3, "'system' must be text" },
        { "examples not a list", "version: \"1.0\"\nsystem: s\nfew_shot_examples: hello\n", PromptDiagnosticCodes.InvalidShape, 3, "'few_shot_examples' must be a list" },
        { "example without output", "version: \"1.0\"\nsystem: s\nfew_shot_examples:\n  - input: question\n", PromptDiagnosticCodes.MissingField, 4, "few_shot_examples[0] needs both 'input'" },
        { "example unknown key", "version: \"1.0\"\nsystem: s\nfew_shot_examples:\n  - input: q\n    ouput: a\n", PromptDiagnosticCodes.UnknownKey, 5, "did you mean 'output'" },
        { "variables not a list", "version: \"1.0\"\nsystem: s\nvariables: topic\n", PromptDiagnosticCodes.InvalidShape, 3, "'variables' must be a list" },
        { "bad variable name", "version: \"1.0\"\nsystem: s\nvariables:\n  - 1topic\n", PromptDiagnosticCodes.InvalidVariable, 4, "'1topic' is not a valid variable name" },
        { "reserved variable name", "version: \"1.0\"\nsystem: s\nvariables:\n  - forloop\n", PromptDiagnosticCodes.InvalidVariable, 4, "Liquid keyword" },
        { "duplicate variable", "version: \"1.0\"\nsystem: \"{{ a }}\"\nvariables:\n  - a\n  - name: a\n", PromptDiagnosticCodes.InvalidVariable, 5, "declared twice" },
        { "variable without name", "version: \"1.0\"\nsystem: s\nvariables:\n  - type: string\n", PromptDiagnosticCodes.InvalidVariable, 4, "needs a 'name'" },
        { "unknown variable key", "version: \"1.0\"\nsystem: \"{{ a }}\"\nvariables:\n  - name: a\n    requird: true\n", PromptDiagnosticCodes.UnknownKey, 5, "did you mean 'required'" },
        { "unknown type", "version: \"1.0\"\nsystem: \"{{ a }}\"\nvariables:\n  - name: a\n    type: text\n", PromptDiagnosticCodes.InvalidVariable, 5, "unknown type 'text'" },
        { "default of wrong type", "version: \"1.0\"\nsystem: \"{{ n }}\"\nvariables:\n  - name: n\n    type: number\n    default: many\n", PromptDiagnosticCodes.InvalidVariable, 6, "must be a number" },
        { "required with default", "version: \"1.0\"\nsystem: \"{{ a }}\"\nvariables:\n  - name: a\n    required: true\n    default: x\n", PromptDiagnosticCodes.InvalidVariable, 5, "required but has a default" },
        { "required not boolean", "version: \"1.0\"\nsystem: \"{{ a }}\"\nvariables:\n  - name: a\n    required: sometimes\n", PromptDiagnosticCodes.InvalidVariable, 5, "must be true or false" },
        { "liquid syntax in block", "version: \"1.0\"\nsystem: |\n  line one\n  {% if x %}\n  never closed\nvariables: [x]\n", PromptDiagnosticCodes.TemplateSyntax, 5, "Liquid syntax error in 'system'" },
        { "unclosed output", "version: \"1.0\"\nuser: \"hello {{ name \"\nvariables: [name]\n", PromptDiagnosticCodes.TemplateSyntax, 2, "Liquid syntax error in 'user'" },
        { "unknown tag", "version: \"1.0\"\nsystem: |\n  a\n  b\n  {% bogus %}\n", PromptDiagnosticCodes.TemplateSyntax, 5, "Unknown tag 'bogus'" },
        { "undeclared variable", "version: \"1.0\"\nsystem: |\n  Hello\n  {{ topik }}\nvariables: [topic]\n", PromptDiagnosticCodes.UndeclaredVariable, 4, "uses variable 'topik'" },
        { "undeclared in example", "version: \"1.0\"\nsystem: s\nfew_shot_examples:\n  - input: \"{{ q }}\"\n    output: a\n", PromptDiagnosticCodes.UndeclaredVariable, 4, "'few_shot_examples[0].input' uses variable 'q'" },
        { "unknown filter", "version: \"1.0\"\nsystem: |\n  {{ topic | shout }}\nvariables: [topic]\n", PromptDiagnosticCodes.UnknownFilter, 3, "unknown filter 'shout'" },
        { "include tag", "version: \"1.0\"\nsystem: |\n  {% include 'other' %}\n", PromptDiagnosticCodes.TemplateSyntax, 3, "cannot load other files" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Malformed_file_gets_a_clear_error_with_file_and_line(string name, string content, string code, int line, string fragment)
    {
        using var dir = new TempPromptDirectory();
        var file = dir.Write("researcher/broken.yaml", content);

        var diagnostics = new PromptLinter().LintDirectory(dir.Root);

        var error = diagnostics.FirstOrDefault(d => d.Code == code && d.Severity == PromptDiagnosticSeverity.Error);
        Assert.True(error is not null, $"{name}: expected {code}, got:{Environment.NewLine}{string.Join(Environment.NewLine, diagnostics)}");
        Assert.Equal(file, error.File);
        Assert.Equal(line, error.Line);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Equal("researcher/broken", error.Template);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Library_refuses_to_start_on_a_malformed_file_and_names_file_and_line(string name, string content, string code, int line, string fragment)
    {
        using var dir = new TempPromptDirectory();
        var file = dir.Write("researcher/broken.yaml", content);

        var e = Assert.Throws<PromptException>(() => new PromptLibrary(new PromptLibraryOptions { Directory = dir.Root }));

        Assert.Equal(file, e.File);
        Assert.Contains(e.Diagnostics, d => d.Code == code && d.Line == line);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.Contains($"{file}({line},", e.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(name));
    }

    [Fact]
    public void Variable_error_names_the_variable()
    {
        var diagnostics = new PromptLinter().LintText("/p", "researcher/x.yaml", "version: \"1.0\"\nsystem: |\n  {{ topik }}\nvariables: [topic]\n");

        Assert.Contains(diagnostics, d => d is { Code: PromptDiagnosticCodes.UndeclaredVariable, Variable: "topik", Version: "1.0", Line: 3, Column: 4 });
        Assert.Contains(diagnostics, d => d is { Code: PromptDiagnosticCodes.UnusedVariable, Variable: "topic", Severity: PromptDiagnosticSeverity.Warning, Line: 4 });
    }

    [Fact]
    public void File_outside_an_agent_folder_is_rejected()
    {
        using var dir = new TempPromptDirectory();
        var file = dir.Write("loose.yaml", "version: \"1.0\"\nsystem: s\n");

        var error = Assert.Single(new PromptLinter().LintDirectory(dir.Root));

        Assert.Equal(PromptDiagnosticCodes.InvalidLocation, error.Code);
        Assert.Equal(file, error.File);
        Assert.Contains("agent folder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_name_version_must_agree_with_the_version_field()
    {
        var diagnostics = new PromptLinter().LintText("/p", "researcher/x@2.0.yaml", "version: \"1.0\"\nsystem: s\n");

        var error = Assert.Single(diagnostics);
        Assert.Equal(PromptDiagnosticCodes.InvalidVersion, error.Code);
        Assert.Equal(1, error.Line);
        Assert.Contains("file name says version '2.0'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_versions_across_files_are_reported()
    {
        using var dir = new TempPromptDirectory();
        dir.Write("researcher/x.yaml", "version: \"2.0\"\nsystem: s\n");
        var second = dir.Write("researcher/x@2.yaml", "system: other\n");

        var error = Assert.Single(new PromptLinter().LintDirectory(dir.Root));

        Assert.Equal(PromptDiagnosticCodes.DuplicateVersion, error.Code);
        Assert.Equal(second, error.File);
        Assert.Contains("researcher/x' version 2 is already defined in", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_directory_is_an_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), "companyos-no-such-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Single(new PromptLinter().LintDirectory(missing));

        Assert.Equal(PromptDiagnosticSeverity.Error, error.Severity);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }
}
