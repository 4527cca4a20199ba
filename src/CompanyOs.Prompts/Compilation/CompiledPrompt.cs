using System.Collections.Frozen;
using CompanyOs.Prompts.Definitions;
using CompanyOs.Prompts.Versioning;
using Fluid;
using Fluid.Values;

namespace CompanyOs.Prompts.Compilation;

/// <summary>A template version ready to render: every field parsed once, defaults converted once.</summary>
internal sealed class CompiledPrompt
{
    public CompiledPrompt(
        PromptDefinition definition,
        CompiledText? system,
        CompiledText? user,
        IReadOnlyList<(CompiledText Input, CompiledText Output)> examples,
        IReadOnlySet<string> localNames,
        LiquidEnvironment environment)
    {
        Definition = definition;
        System = system;
        User = user;
        Examples = examples;
        Environment = environment;
        Variables = definition.Variables.ToFrozenDictionary(v => v.Variable.Name, StringComparer.Ordinal);
        Defaults = definition.Variables.ToFrozenDictionary(
            v => v.Variable.Name,
            v => FluidValue.Create(v.Variable.Default, environment.Options),
            StringComparer.Ordinal);
        PublicVariables = definition.Variables.Select(v => v.Variable).ToArray();
        var locals = localNames.ToFrozenSet(StringComparer.Ordinal);

        // Every declared variable is always set, so the only undefined names left are the template's own locals read
        // before their assign/capture (an error), or members missing on an object (nil, as Liquid defines it).
        UndefinedHandler = name => locals.Contains(name)
            ? throw new UndefinedVariableException(name)
            : new ValueTask<FluidValue>(NilValue.Instance);
    }

    /// <summary>Per-render hook for Fluid's undefined values (see the constructor).</summary>
    public TemplateOptions.UndefinedDelegate UndefinedHandler { get; }

    public PromptDefinition Definition { get; }

    public string Name => Definition.Name;

    public PromptVersion Version => Definition.Version;

    public CompiledText? System { get; }

    public CompiledText? User { get; }

    public IReadOnlyList<(CompiledText Input, CompiledText Output)> Examples { get; }

    public LiquidEnvironment Environment { get; }

    public FrozenDictionary<string, VariableDeclaration> Variables { get; }

    /// <summary>Default of every declared variable as a Fluid value (nil when there is none).</summary>
    public FrozenDictionary<string, FluidValue> Defaults { get; }

    public IReadOnlyList<PromptVariable> PublicVariables { get; }

    public IEnumerable<CompiledText> Texts()
    {
        if (System is not null)
        {
            yield return System;
        }

        foreach (var (input, output) in Examples)
        {
            yield return input;
            yield return output;
        }

        if (User is not null)
        {
            yield return User;
        }
    }
}
