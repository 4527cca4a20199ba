using CompanyOs.Prompts.Definitions;
using Fluid;

namespace CompanyOs.Prompts.Compilation;

/// <summary>One compiled field: either a parsed Liquid template or, when the text has no markup, the text itself.</summary>
internal sealed class CompiledText(TemplateSource source, IFluidTemplate? template)
{
    public TemplateSource Source { get; } = source;

    /// <summary>Null when the text is plain and rendered verbatim.</summary>
    public IFluidTemplate? Template { get; } = template;

    public string Render(TemplateContext context) => Template is null ? Source.Text : Template.Render(context);
}
