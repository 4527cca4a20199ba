using CompanyOs.Prompts.Diagnostics;
using CompanyOs.Prompts.Library;
using CompanyOs.Prompts.Linting;
using CompanyOs.Prompts.Tests.Support;
using Microsoft.Extensions.AI;

namespace CompanyOs.Prompts.Tests.Shipped;

public sealed class ShippedPromptTests
{
    public static TheoryData<string> Names =>
    [
        "researcher/literature_review",
        "researcher/persona",
        "architect/system_design",
        "architect/persona",
        "implementer/code_generation",
        "implementer/persona",
    ];

    [Fact]
    public void Every_shipped_prompt_lints_clean_without_warnings()
    {
        var diagnostics = new PromptLinter().LintDirectory(ShippedPrompts.Root);
        Assert.True(diagnostics.Count == 0, string.Join(Environment.NewLine, diagnostics));
    }

    [Fact]
    public void Library_lists_every_shipped_prompt_with_its_versions()
    {
        using var library = new PromptLibrary(new PromptLibraryOptions { Directory = ShippedPrompts.Root });

        var names = library.List().Select(p => p.Name).ToArray();

        Assert.Equal(Names.Select(n => n.Data).Order(StringComparer.Ordinal), names);
        Assert.Equal(["1.0", "1.1"], library.Find("researcher/literature_review")!.Versions);
        Assert.Empty(library.LoadErrors);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_shipped_prompt_renders_with_sample_variables(string name)
    {
        using var library = new PromptLibrary(new PromptLibraryOptions { Directory = ShippedPrompts.Root });
        var info = library.Find(name)!;
        var variables = info.Variables.ToDictionary(v => v.Name, v => SampleValue(v));

        var rendered = library.Render(name, variables);

        Assert.Equal(name, rendered.Name);
        Assert.Equal(info.Versions[^1], rendered.Version);
        Assert.False(string.IsNullOrWhiteSpace(rendered.System));
        Assert.Equal(ChatRole.System, rendered.Messages[0].Role);
        Assert.DoesNotContain("{{", string.Concat(rendered.Messages.Select(m => m.Text)), StringComparison.Ordinal);
        Assert.DoesNotContain("{%", string.Concat(rendered.Messages.Select(m => m.Text)), StringComparison.Ordinal);
        foreach (var variable in info.Variables.Where(v => v.Type == "string"))
        {
            Assert.Contains($"<{variable.Name} sample>", string.Concat(rendered.Messages.Select(m => m.Text)), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("researcher/persona")]
    [InlineData("architect/persona")]
    [InlineData("implementer/persona")]
    public void Personas_render_tools_memory_and_autonomy(string name)
    {
        using var library = new PromptLibrary(new PromptLibraryOptions { Directory = ShippedPrompts.Root });

        var rendered = library.Render(name, new Dictionary<string, object?>
        {
            ["task"] = "Compare SQLite and PostgreSQL for the event store",
            ["autonomy_level"] = "manual",
            ["tools"] = new object[] { "web_search", new Dictionary<string, object?> { ["name"] = "read_file", ["description"] = "Reads a file", ["risk"] = "low" } },
            ["memory"] = new object[] { "The team knows PostgreSQL well", new Dictionary<string, object?> { ["content"] = "Budget is $50/month" } },
        });

        Assert.Null(rendered.User);
        Assert.Single(rendered.Messages);
        var system = rendered.System!;
        Assert.Contains("Compare SQLite and PostgreSQL for the event store", system, StringComparison.Ordinal);
        Assert.Contains("- web_search", system, StringComparison.Ordinal);
        Assert.Contains("- read_file: Reads a file (risk: low)", system, StringComparison.Ordinal);
        Assert.Contains("- The team knows PostgreSQL well", system, StringComparison.Ordinal);
        Assert.Contains("- Budget is $50/month", system, StringComparison.Ordinal);
        Assert.Contains("Every tool call waits for a human", system, StringComparison.Ordinal);
    }

    [Fact]
    public void Persona_with_only_the_task_leaves_tools_memory_and_autonomy_to_the_runtime()
    {
        using var library = new PromptLibrary(new PromptLibraryOptions { Directory = ShippedPrompts.Root });

        var system = library.Render("implementer/persona", new Dictionary<string, object?> { ["task"] = "Fix the bug" }).System!;

        Assert.Contains("Fix the bug", system, StringComparison.Ordinal);
        Assert.Contains("Use a tool when it gives you information", system, StringComparison.Ordinal);
        Assert.DoesNotContain("Tools:", system, StringComparison.Ordinal);
        Assert.DoesNotContain("Autonomy:", system, StringComparison.Ordinal);
        Assert.DoesNotContain("What you already know", system, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("researcher/persona")]
    [InlineData("architect/persona")]
    [InlineData("implementer/persona")]
    public void Persona_with_an_empty_tool_list_says_there_are_none(string name)
    {
        using var library = new PromptLibrary(new PromptLibraryOptions { Directory = ShippedPrompts.Root });

        var system = library.Render(name, new Dictionary<string, object?>
        {
            ["task"] = "Think", ["tools"] = Array.Empty<string>(), ["memory"] = new List<string>(), ["autonomy_level"] = "autonomous",
        }).System!;

        Assert.Contains("Tools: none.", system, StringComparison.Ordinal);
        Assert.DoesNotContain("Use a tool when", system, StringComparison.Ordinal);
        Assert.DoesNotContain("What you already know", system, StringComparison.Ordinal);
        Assert.Contains("Autonomy: autonomous. Your tool calls run without approval", system, StringComparison.Ordinal);
    }

    [Fact]
    public void Seed_literature_review_1_0_renders_like_the_seed()
    {
        using var library = new PromptLibrary(new PromptLibraryOptions { Directory = ShippedPrompts.Root });

        var rendered = library.Render("researcher/literature_review", new Dictionary<string, object?>
        {
            ["topic"] = "Event sourcing", ["context"] = "CompanyOS", ["constraints"] = "Since 2015",
        }, version: "1.0");

        Assert.Equal("1.0", rendered.Version);
        Assert.Contains("Current project context:\nCompanyOS\n", rendered.System, StringComparison.Ordinal);
        Assert.Equal("Please conduct a literature review on: Event sourcing\n\nProvide:\n1. Summary of key findings (3-5 bullet points)\n2. Methodology comparison table\n3. Research gaps identified\n4. Recommended next steps\n", rendered.User);
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User], rendered.Messages.Select(m => m.Role));
        Assert.Equal("Review recent advances in transformer architectures for NLP", rendered.Messages[1].Text);
        Assert.StartsWith("## Key Findings", rendered.Messages[2].Text, StringComparison.Ordinal);
    }

    private static object? SampleValue(PromptVariable variable) => variable.Type switch
    {
        "string" => $"<{variable.Name} sample>",
        "number" => 4,
        "boolean" => true,
        "list" => new[] { "first", "second" },
        _ => new Dictionary<string, object?> { ["key"] = "value" },
    };
}
