using System.Text.Encodings.Web;
using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace CompanyOs.Prompts.Compilation;

/// <summary>
/// Rewrites a parsed template so the constructs Fluid does not bound cannot exhaust memory: ranges are sized before they
/// are allocated, and the bodies of <c>capture</c> and <c>ifchanged</c> (which Fluid buffers in an unbounded string)
/// render into a bounded buffer first.
/// </summary>
internal sealed class BoundingRewriter(RenderLimits limits) : AstRewriter
{
    public IFluidTemplate Rewrite(IFluidTemplate template) => VisitTemplate(template);

    protected override Expression VisitRangeExpression(RangeExpression rangeExpression)
    {
        var visited = (RangeExpression)base.VisitRangeExpression(rangeExpression);
        return new BoundedRangeExpression(visited.From, visited.To);
    }

    protected override Statement VisitCaptureStatement(CaptureStatement captureStatement)
    {
        var visited = (CaptureStatement)base.VisitCaptureStatement(captureStatement);
        return new CaptureStatement(visited.Identifier, [new BoundedBlock(visited.Statements, limits, $"the capture of '{visited.Identifier}'")]);
    }

    protected override Statement VisitIfChangedStatement(IfChangedStatement ifChangedStatement)
    {
        var visited = (IfChangedStatement)base.VisitIfChangedStatement(ifChangedStatement);
        return new IfChangedStatement([new BoundedBlock(visited.Statements, limits, "an ifchanged block")]);
    }

    /// <summary><c>(from..to)</c> that checks its size before allocating it.</summary>
    private sealed class BoundedRangeExpression(Expression from, Expression to) : Expression
    {
        public override async ValueTask<FluidValue> EvaluateAsync(TemplateContext context)
        {
            var start = (await from.EvaluateAsync(context).ConfigureAwait(false)).ToNumberValue();
            var end = (await to.EvaluateAsync(context).ConfigureAwait(false)).ToNumberValue();
            start = decimal.Truncate(start);
            end = decimal.Truncate(end);
            RenderLimits.CheckRange(start, end);
            var items = new FluidValue[(int)Math.Max(0, end - start + 1)];
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = NumberValue.Create(start + i);
            }

            return new ArrayValue(items);
        }
    }

    /// <summary>Renders its statements into a buffer bounded by the maximum rendered size, then writes the buffer out.</summary>
    private sealed class BoundedBlock(IReadOnlyList<Statement> statements, RenderLimits limits, string what) : Statement
    {
        public override async ValueTask<Completion> WriteToAsync(TextWriter writer, TextEncoder encoder, TemplateContext context)
        {
            using var buffer = new BoundedStringWriter(new OutputBudget(limits.MaxRenderedSize, what));
            var completion = Completion.Normal;
            foreach (var statement in statements)
            {
                completion = await statement.WriteToAsync(buffer, encoder, context).ConfigureAwait(false);
                if (completion != Completion.Normal)
                {
                    break;
                }
            }

            await writer.WriteAsync(buffer.ToString()).ConfigureAwait(false);
            return completion;
        }
    }
}
