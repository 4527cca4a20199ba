using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace CompanyOs.Tools.Registry;

/// <summary>
/// The tools offered to agents, by unique name, with each tool's argument schema compiled once at registration.
/// Registration validates name, schema and timeout; reads are lock-free and safe from any thread.
/// </summary>
public sealed class ToolRegistry : IToolRegistry
{
    /// <summary>Longest timeout a tool may declare; anything longer is almost certainly a unit mistake.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);

    private readonly Lock _gate = new();
    private readonly ConditionalWeakTable<ITool, ArgumentSchema> _unregisteredSchemas = new();
    private ImmutableDictionary<string, Entry> _byName = ImmutableDictionary.Create<string, Entry>(StringComparer.Ordinal);
    private ImmutableArray<ITool> _ordered = [];

    public ToolRegistry()
    {
    }

    /// <summary>Registers <paramref name="tools"/> in order; throws on the first invalid or duplicate one.</summary>
    public ToolRegistry(IEnumerable<ITool> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        foreach (var tool in tools)
        {
            Register(tool);
        }
    }

    /// <summary>Tools in registration order (the order they are offered to the model).</summary>
    public IReadOnlyCollection<ITool> Tools => _ordered;

    /// <summary>Adds <paramref name="tool"/>.</summary>
    /// <exception cref="ToolRegistrationException">The name is invalid or taken, the schema is unusable, or the timeout is not in (0, 1 h].</exception>
    public void Register(ITool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var name = tool.Name;
        if (!ToolNames.IsValid(name))
        {
            throw new ToolRegistrationException(name ?? "(null)", $"invalid name; use 1-{ToolNames.MaxLength} characters of A-Z, a-z, 0-9, '_' or '-'");
        }

        if (tool.Timeout <= TimeSpan.Zero || tool.Timeout > MaxTimeout)
        {
            throw new ToolRegistrationException(name, $"timeout must be greater than 0 and at most {MaxTimeout}, got {tool.Timeout}");
        }

        if (tool.Risk is not (ToolRisk.High or ToolRisk.Low))
        {
            throw new ToolRegistrationException(name, $"unknown risk level {(int)tool.Risk}");
        }

        var schema = ArgumentSchema.Compile(name, tool.ParametersSchema);
        lock (_gate)
        {
            if (_byName.ContainsKey(name))
            {
                throw new ToolRegistrationException(name, "a tool with this name is already registered");
            }

            _byName = _byName.Add(name, new Entry(tool, schema));
            _ordered = _ordered.Add(tool);
        }
    }

    public bool TryGet(string name, out ITool tool)
    {
        if (name is not null && _byName.TryGetValue(name, out var entry))
        {
            tool = entry.Tool;
            return true;
        }

        tool = null!;
        return false;
    }

    /// <summary>Validates <paramref name="arguments"/> against the tool's schema; each problem reads <c>$.path: what is wrong</c>.</summary>
    public IReadOnlyList<string> Validate(ITool tool, JsonElement arguments)
    {
        ArgumentNullException.ThrowIfNull(tool);
        return SchemaFor(tool).Validate(arguments);
    }

    private ArgumentSchema SchemaFor(ITool tool)
    {
        if (_byName.TryGetValue(tool.Name, out var entry) && ReferenceEquals(entry.Tool, tool))
        {
            return entry.Schema;
        }

        // A tool that was never registered here (e.g. a caller's own instance) is still validated, not waved through.
        return _unregisteredSchemas.GetValue(tool, static t => ArgumentSchema.Compile(t.Name, t.ParametersSchema));
    }

    private sealed record Entry(ITool Tool, ArgumentSchema Schema);
}
