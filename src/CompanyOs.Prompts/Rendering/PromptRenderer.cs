using CompanyOs.Prompts.Compilation;
using Fluid;
using Fluid.Values;
using Microsoft.Extensions.AI;

namespace CompanyOs.Prompts.Rendering;

/// <summary>
/// Renders a <see cref="CompiledPrompt"/>: checks the caller's variables strictly (missing required, unknown, wrong type),
/// applies defaults, then produces system message, few-shot user/assistant pairs in file order, and the user message.
/// </summary>
internal static class PromptRenderer
{
    /// <summary>How Fluid 2.x words both its recursion and its step limit.</summary>
    private const string StepLimitMessage = "The maximum level of recursion has been reached";

    public static RenderedPrompt Render(CompiledPrompt prompt, IReadOnlyDictionary<string, object?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var context = Bind(prompt, variables);
        var budget = new OutputBudget(prompt.Environment.Limits.MaxRenderedSize, "the rendered prompt");

        var system = RenderText(prompt, prompt.System, context, budget);
        var user = RenderText(prompt, prompt.User, context, budget);
        var messages = new List<ChatMessage>(2 + (prompt.Examples.Count * 2));
        if (!string.IsNullOrEmpty(system))
        {
            messages.Add(new ChatMessage(ChatRole.System, system));
        }

        foreach (var (input, output) in prompt.Examples)
        {
            messages.Add(new ChatMessage(ChatRole.User, RenderText(prompt, input, context, budget)));
            messages.Add(new ChatMessage(ChatRole.Assistant, RenderText(prompt, output, context, budget)));
        }

        if (!string.IsNullOrEmpty(user))
        {
            messages.Add(new ChatMessage(ChatRole.User, user));
        }

        return new RenderedPrompt(prompt.Name, prompt.Version.Text, system, user, messages);
    }

    private static TemplateContext Bind(CompiledPrompt prompt, IReadOnlyDictionary<string, object?> variables)
    {
        foreach (var name in variables.Keys)
        {
            if (!prompt.Variables.ContainsKey(name))
            {
                var declared = prompt.Variables.Count == 0 ? "none" : string.Join(", ", prompt.Variables.Keys.Order(StringComparer.Ordinal));
                throw Error(prompt, $"unknown variable '{name}' passed to prompt '{prompt.Name}' v{prompt.Version}; declared variables: {declared}", name);
            }
        }

        var context = new TemplateContext(prompt.Environment.Options) { Undefined = prompt.UndefinedHandler };
        prompt.Environment.Limits.StartRender(context);
        List<string>? missing = null;
        foreach (var (name, declaration) in prompt.Variables)
        {
            if (variables.TryGetValue(name, out var value) && value is not null)
            {
                if (!VariableTypeCheck.Fits(value, declaration.Type))
                {
                    throw Error(
                        prompt,
                        $"variable '{name}' of prompt '{prompt.Name}' v{prompt.Version} must be a {declaration.Variable.Type}, got {VariableTypeCheck.Describe(value)}",
                        name,
                        declaration.Line);
                }

                context.SetValue(name, FluidValue.Create(value, prompt.Environment.Options));
            }
            else if (declaration.Variable.Required)
            {
                (missing ??= []).Add(name);
            }
            else
            {
                context.SetValue(name, prompt.Defaults[name]);
            }
        }

        if (missing is not null)
        {
            var list = string.Join(", ", missing.Select(m => $"'{m}'"));
            throw Error(prompt, $"missing required variable{(missing.Count > 1 ? "s" : string.Empty)} {list} for prompt '{prompt.Name}' v{prompt.Version}", missing[0], prompt.Variables[missing[0]].Line);
        }

        return context;
    }

    private static string? RenderText(CompiledPrompt prompt, CompiledText? text, TemplateContext context, OutputBudget budget)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return text.Render(context, budget);
        }
        catch (UndefinedVariableException e)
        {
            var (line, _) = LiquidLocator.FindIdentifier(text.Source.Text, e.Variable ?? string.Empty);
            throw Error(prompt, $"'{text.Source.Field}' of prompt '{prompt.Name}' v{prompt.Version} uses undefined variable '{e.Variable}' (line {text.Source.FileLine(line)})", e.Variable, text.Source.FileLine(line), e);
        }
        catch (RenderLimitException e)
        {
            throw Error(prompt, $"rendering '{text.Source.Field}' of prompt '{prompt.Name}' v{prompt.Version} failed (line {text.Source.FirstLine}): {e.Message}", null, text.Source.FirstLine, e);
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith(StepLimitMessage, StringComparison.Ordinal))
        {
            // Fluid reports its step limit with its recursion message, which speaks of cyclic includes; includes are refused
            // and nesting is bounded at load, so here it always means too many steps.
            throw Error(prompt, $"rendering '{text.Source.Field}' of prompt '{prompt.Name}' v{prompt.Version} failed (line {text.Source.FirstLine}): it ran more than {RenderLimits.MaxSteps} steps (a loop too long?)", null, text.Source.FirstLine, e);
        }
        catch (Exception e) when (e is FluidException or InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            throw Error(prompt, $"rendering '{text.Source.Field}' of prompt '{prompt.Name}' v{prompt.Version} failed (line {text.Source.FirstLine}): {e.Message}", null, text.Source.FirstLine, e);
        }
    }

    private static PromptException Error(CompiledPrompt prompt, string message, string? variable, int? line = null, Exception? inner = null) =>
        new(message, prompt.Name, prompt.Version.Text, variable, inner) { File = prompt.Definition.File, Line = line };
}
