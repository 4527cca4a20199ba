using Fluid;

namespace CompanyOs.Prompts.Compilation;

/// <summary>
/// The Fluid parser and render options shared by every template of a library. Filters are strict (an unknown filter is an
/// error). Every declared variable is always set (an optional one the caller left out is nil, so <c>{% if var %}</c> works);
/// reading a template-local variable before it is assigned is caught per prompt (<see cref="CompiledPrompt"/>). Members of
/// objects are read case-insensitively, so <c>owner.name</c> reads a C# <c>Name</c> property. Templates cannot include files.
/// Rendering is bounded in steps, nesting, range, value and output size (<see cref="RenderLimits"/>).
/// </summary>
internal sealed class LiquidEnvironment
{
    private readonly BoundingRewriter _rewriter;

    public LiquidEnvironment(int maxRenderedSize = RenderLimits.DefaultMaxRenderedSize, TimeSpan? maxRenderTime = null, TimeProvider? timeProvider = null)
    {
        Limits = new RenderLimits(maxRenderedSize, maxRenderTime ?? RenderLimits.DefaultMaxRenderTime, timeProvider ?? TimeProvider.System);
        _rewriter = new BoundingRewriter(Limits);
        Parser = new FluidParser(new FluidParserOptions { AllowFunctions = false, AllowParentheses = true });
        Options = new TemplateOptions
        {
            StrictFilters = true,
            MaxSteps = RenderLimits.MaxSteps,

            // Includes and macros are refused, so only nested blocks recurse, and the nesting check keeps those below this:
            // Fluid's "maximum recursion" error (which also reports the step limit) can then only mean too many steps.
            MaxRecursion = LiquidNestingCheck.MaxBlockDepth + 2,
            MemberAccessStrategy = new UnsafeMemberAccessStrategy { IgnoreCasing = true },
        };
        Limits.Guard(Options.Filters);
    }

    public FluidParser Parser { get; }

    public TemplateOptions Options { get; }

    public RenderLimits Limits { get; }

    public bool IsKnownFilter(string name) => Options.Filters.TryGetValue(name, out _);

    /// <summary>The template with its unbounded constructs replaced by bounded ones (see <see cref="BoundingRewriter"/>).</summary>
    public IFluidTemplate Bound(IFluidTemplate template) => _rewriter.Rewrite(template);
}
