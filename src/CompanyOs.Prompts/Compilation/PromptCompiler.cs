using CompanyOs.Prompts.Definitions;
using CompanyOs.Prompts.Diagnostics;
using Fluid;

namespace CompanyOs.Prompts.Compilation;

/// <summary>
/// Parses every Liquid field of a <see cref="PromptDefinition"/> once and checks it against the declared variables both
/// ways: a variable the template reads but does not declare is an error, a declared variable nothing reads is a warning.
/// Syntax errors, unknown filters and unsupported tags are errors with the file line.
/// </summary>
internal sealed class PromptCompiler(LiquidEnvironment environment)
{
    public CompiledPrompt? Compile(PromptDefinition definition, DiagnosticBag diagnostics)
    {
        var declared = definition.Variables.Select(v => v.Variable.Name).ToHashSet(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var local = new HashSet<string>(StringComparer.Ordinal);

        var system = Compile(definition.System, declared, used, local, diagnostics);
        var user = Compile(definition.User, declared, used, local, diagnostics);
        var examples = new List<(CompiledText, CompiledText)>();
        foreach (var example in definition.FewShotExamples)
        {
            var input = Compile(example.Input, declared, used, local, diagnostics);
            var output = Compile(example.Output, declared, used, local, diagnostics);
            if (input is not null && output is not null)
            {
                examples.Add((input, output));
            }
        }

        foreach (var variable in definition.Variables.Where(v => !used.Contains(v.Variable.Name)))
        {
            diagnostics.Warning(
                PromptDiagnosticCodes.UnusedVariable,
                $"variable '{variable.Variable.Name}' is declared but not used by the template",
                variable.Line,
                variable: variable.Variable.Name);
        }

        return diagnostics.HasErrors ? null : new CompiledPrompt(definition, system, user, examples, local, environment);
    }

    /// <summary>Fluid's parser reports syntax errors as values but may still throw on text it does not expect.</summary>
    private bool TryParse(string text, out IFluidTemplate template, out string error)
    {
        try
        {
            return environment.Parser.TryParse(text, out template, out error);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or InsufficientExecutionStackException or OperationCanceledException))
        {
            template = null!;
            error = $"the Liquid parser failed: {e.Message}";
            return false;
        }
    }

    private CompiledText? Compile(TemplateSource? source, HashSet<string> declared, HashSet<string> used, HashSet<string> local, DiagnosticBag diagnostics)
    {
        if (source is null)
        {
            return null;
        }

        if (LiquidLocator.IsPlainText(source.Text))
        {
            return new CompiledText(source, null);
        }

        if (LiquidNestingCheck.Check(source.Text) is var (index, problem))
        {
            var (nestLine, nestColumn) = LiquidLocator.Position(source.Text, index);
            diagnostics.Error(PromptDiagnosticCodes.TemplateSyntax, $"'{source.Field}' {problem} (template line {nestLine})", source.FileLine(nestLine), source.FileColumn(nestLine, nestColumn));
            return null;
        }

        if (!TryParse(source.Text, out var template, out var error))
        {
            var (message, line, column) = LiquidLocator.ParseError(error);
            diagnostics.Error(
                PromptDiagnosticCodes.TemplateSyntax,
                $"Liquid syntax error in '{source.Field}' (template line {line}): {message}",
                source.FileLine(line),
                source.FileColumn(line, column));
            return null;
        }

        var collector = TemplateVariableCollector.Collect(template);
        local.UnionWith(collector.Bound.Where(name => !declared.Contains(name)));
        var ok = true;
        foreach (var tag in collector.UnsupportedTags)
        {
            Report(PromptDiagnosticCodes.TemplateSyntax, $"'{source.Field}' uses the '{tag}' tag; prompts are self-contained and cannot load other files", tag, null);
        }

        foreach (var filter in collector.Filters.Where(f => !environment.IsKnownFilter(f)))
        {
            Report(PromptDiagnosticCodes.UnknownFilter, $"'{source.Field}' uses unknown filter '{filter}'", filter, null);
        }

        foreach (var name in collector.FreeVariables)
        {
            used.Add(name);
            if (!declared.Contains(name))
            {
                Report(PromptDiagnosticCodes.UndeclaredVariable, $"'{source.Field}' uses variable '{name}', which is not declared under 'variables'", name, name);
            }
        }

        return ok ? new CompiledText(source, environment.Bound(template)) : null;

        void Report(string code, string message, string token, string? variable)
        {
            ok = false;
            var (line, column) = LiquidLocator.FindIdentifier(source.Text, token);
            diagnostics.Error(code, message, source.FileLine(line), column == 0 ? 0 : source.FileColumn(line, column), variable);
        }
    }
}
