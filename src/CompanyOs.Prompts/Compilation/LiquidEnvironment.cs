using Fluid;

namespace CompanyOs.Prompts.Compilation;

/// <summary>
/// The Fluid parser and render options shared by every template of a library. Filters are strict (an unknown filter is an
/// error); reading a variable that was never set is an error (reported by <see cref="UndefinedVariableException"/>), while
/// an optional variable the caller left out is set to nil so <c>{% if var %}</c> works. Templates cannot include files.
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
            MemberAccessStrategy = UnsafeMemberAccessStrategy.Instance,
            Undefined = name => throw new UndefinedVariableException(name),
        };
    }

    public FluidParser Parser { get; }

    public TemplateOptions Options { get; }

    public bool IsKnownFilter(string name) => Options.Filters.TryGetValue(name, out _);
}
