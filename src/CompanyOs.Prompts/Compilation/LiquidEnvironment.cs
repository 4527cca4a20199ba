using Fluid;

namespace CompanyOs.Prompts.Compilation;

/// <summary>
/// The Fluid parser and render options shared by every template of a library. Filters are strict (an unknown filter is an
/// error). Every declared variable is always set (an optional one the caller left out is nil, so <c>{% if var %}</c> works);
/// reading a template-local variable before it is assigned is caught per prompt (<see cref="CompiledPrompt"/>). Members of
/// objects are read case-insensitively, so <c>owner.name</c> reads a C# <c>Name</c> property. Templates cannot include files.
/// </summary>
internal sealed class LiquidEnvironment
{
    public LiquidEnvironment()
    {
        Parser = new FluidParser(new FluidParserOptions { AllowFunctions = false, AllowParentheses = true });
        Options = new TemplateOptions
        {
            StrictFilters = true,
            MaxSteps = 100_000,
            MaxRecursion = 20,
            MemberAccessStrategy = new UnsafeMemberAccessStrategy { IgnoreCasing = true },
        };
    }

    public FluidParser Parser { get; }

    public TemplateOptions Options { get; }

    public bool IsKnownFilter(string name) => Options.Filters.TryGetValue(name, out _);
}
