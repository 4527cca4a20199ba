using CompanyOs.Prompts.Tests.Support;
using Microsoft.Extensions.AI;
using static CompanyOs.Prompts.Tests.Support.LibraryFixture;

namespace CompanyOs.Prompts.Tests.Rendering;

public sealed class FewShotTests
{
    private const string Template = """
        version: "1.0"
        system: "You translate to {{ language }}."
        user: "Translate: {{ text }}"
        few_shot_examples:
          - input: "Translate: cat"
            output: "{{ language | upcase }}: chat"
          - input: "Translate: dog"
            output: "chien"
          - input: "Translate: {{ 'bird' }}"
            output: "oiseau"
        variables: [language, text]
        """;

    [Fact]
    public void System_then_examples_as_user_assistant_pairs_in_file_order_then_user()
    {
        using var dir = new TempPromptDirectory();
        using var library = Create(dir, ("implementer/translate.yaml", Template));

        var rendered = library.Render("implementer/translate", Vars(("language", "French"), ("text", "horse")));

        Assert.Equal(
            [
                (ChatRole.System, "You translate to French."),
                (ChatRole.User, "Translate: cat"), (ChatRole.Assistant, "FRENCH: chat"),
                (ChatRole.User, "Translate: dog"), (ChatRole.Assistant, "chien"),
                (ChatRole.User, "Translate: bird"), (ChatRole.Assistant, "oiseau"),
                (ChatRole.User, "Translate: horse"),
            ],
            rendered.Messages.Select(m => (m.Role, m.Text)));
        Assert.Equal("You translate to French.", rendered.System);
        Assert.Equal("Translate: horse", rendered.User);
    }

    [Fact]
    public void Without_system_the_messages_start_with_the_first_example()
    {
        using var dir = new TempPromptDirectory();
        using var library = Create(dir, ("implementer/bare.yaml", "version: \"1.0\"\nuser: go\nfew_shot_examples:\n  - input: a\n    output: b\n"));

        var rendered = library.Render("implementer/bare", Vars());

        Assert.Null(rendered.System);
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.User], rendered.Messages.Select(m => m.Role));
        Assert.Equal(["a", "b", "go"], rendered.Messages.Select(m => m.Text));
    }

    [Fact]
    public void Rendered_messages_are_independent_between_renders()
    {
        using var dir = new TempPromptDirectory();
        using var library = Create(dir, ("implementer/translate.yaml", Template));

        var first = library.Render("implementer/translate", Vars(("language", "French"), ("text", "one")));
        var second = library.Render("implementer/translate", Vars(("language", "German"), ("text", "two")));

        Assert.Equal("Translate: one", first.Messages[^1].Text);
        Assert.Equal("GERMAN: chat", second.Messages[2].Text);
        Assert.NotSame(first.Messages, second.Messages);
    }
}
