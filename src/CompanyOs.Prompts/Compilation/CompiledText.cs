using CompanyOs.Prompts.Definitions;
using Fluid;

namespace CompanyOs.Prompts.Compilation;

/// <summary>One compiled field: either a parsed Liquid template or, when the text has no markup, the text itself.</summary>
internal sealed class CompiledText(TemplateSource source, IFluidTemplate? template)
{
    public TemplateSource Source { get; } = source;

    /// <summary>Null when the text is plain and rendered verbatim.</summary>
    public IFluidTemplate? Template { get; } = template;

    /// <summary>Renders into a writer that stops at <paramref name="budget"/> (shared by all texts of one prompt).</summary>
    public string Render(TemplateContext context, OutputBudget budget)
    {
        if (Template is null)
        {
            budget.Spend(Source.Text.Length);
            return Source.Text;
        }

        var writer = new BoundedStringWriter(budget);
        var task = Template.RenderAsync(writer, context, NullEncoder.Default);

        // Fluid completes synchronously unless a value is itself asynchronous; its own Render(context) blocks the same way.
        if (!task.IsCompletedSuccessfully)
        {
            task.AsTask().GetAwaiter().GetResult();
        }

        return writer.ToString();
    }
}
