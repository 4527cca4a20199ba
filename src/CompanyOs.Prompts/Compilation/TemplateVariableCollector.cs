using Fluid;
using Fluid.Ast;

namespace CompanyOs.Prompts.Compilation;

/// <summary>
/// Walks a parsed Liquid template and records the variables it reads from outside (its free variables), the names it binds
/// itself (assign, capture, for, increment, macro), the filters it uses and tags the library does not support.
/// </summary>
internal sealed class TemplateVariableCollector : AstVisitor
{
    /// <summary>Names Liquid provides: loop objects and the <c>empty</c>/<c>blank</c> literals.</summary>
    private static readonly string[] Builtins = ["forloop", "tablerowloop", "empty", "blank"];

    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly HashSet<string> _bound = new(StringComparer.Ordinal);
    private readonly HashSet<string> _filters = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unsupportedTags = new(StringComparer.Ordinal);

    /// <summary>Variables read but never bound by the template: these must come from the caller.</summary>
    public IEnumerable<string> FreeVariables => _read.Where(name => !_bound.Contains(name) && !Builtins.Contains(name));

    /// <summary>Names the template binds itself (assign, capture, for, increment…).</summary>
    public IReadOnlySet<string> Bound => _bound;

    public IReadOnlySet<string> Filters => _filters;

    public IReadOnlySet<string> UnsupportedTags => _unsupportedTags;

    public static TemplateVariableCollector Collect(IFluidTemplate template)
    {
        var collector = new TemplateVariableCollector();
        collector.VisitTemplate(template);
        return collector;
    }

    protected override Expression VisitMemberExpression(MemberExpression memberExpression)
    {
        if (memberExpression.Segments.Count > 0 && memberExpression.Segments[0] is IdentifierSegment identifier)
        {
            _read.Add(identifier.Identifier);
        }

        return base.VisitMemberExpression(memberExpression);
    }

    protected override Expression VisitFilterExpression(FilterExpression filterExpression)
    {
        _filters.Add(filterExpression.Name);
        return base.VisitFilterExpression(filterExpression);
    }

    protected override Statement VisitAssignStatement(AssignStatement assignStatement)
    {
        _bound.Add(assignStatement.Identifier);
        return base.VisitAssignStatement(assignStatement);
    }

    protected override Statement VisitCaptureStatement(CaptureStatement captureStatement)
    {
        _bound.Add(captureStatement.Identifier);
        return base.VisitCaptureStatement(captureStatement);
    }

    protected override Statement VisitForStatement(ForStatement forStatement)
    {
        _bound.Add(forStatement.Identifier);
        return base.VisitForStatement(forStatement);
    }

    protected override Statement VisitTableRowStatement(TableRowStatement tableRowStatement)
    {
        _bound.Add(tableRowStatement.Identifier);
        return base.VisitTableRowStatement(tableRowStatement);
    }

    protected override Statement VisitIncrementStatement(IncrementStatement incrementStatement)
    {
        _bound.Add(incrementStatement.Identifier);
        return base.VisitIncrementStatement(incrementStatement);
    }

    protected override Statement VisitDecrementStatement(DecrementStatement decrementStatement)
    {
        _bound.Add(decrementStatement.Identifier);
        return base.VisitDecrementStatement(decrementStatement);
    }

    protected override Statement VisitMacroStatement(MacroStatement macroStatement)
    {
        _bound.Add(macroStatement.Identifier);
        foreach (var argument in macroStatement.Arguments)
        {
            _bound.Add(argument.Name);
        }

        return base.VisitMacroStatement(macroStatement);
    }

    protected override Statement VisitIncludeStatement(IncludeStatement includeStatement)
    {
        _unsupportedTags.Add("include");
        return base.VisitIncludeStatement(includeStatement);
    }

    protected override Statement VisitRenderStatement(RenderStatement renderStatement)
    {
        _unsupportedTags.Add("render");
        return base.VisitRenderStatement(renderStatement);
    }

    protected override Statement VisitFromStatement(FromStatement fromStatement)
    {
        _unsupportedTags.Add("from");
        return base.VisitFromStatement(fromStatement);
    }
}
