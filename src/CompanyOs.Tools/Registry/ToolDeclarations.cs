using Microsoft.Extensions.AI;

namespace CompanyOs.Tools.Registry;

/// <summary>Exposes tools to a chat model as declarations only: the agent runtime executes calls itself through <see cref="ToolInvoker"/>.</summary>
public static class ToolDeclarations
{
    /// <summary>A declaration (name, description, schema) of <paramref name="tool"/>, with no way to invoke it.</summary>
    public static AIFunctionDeclaration ToDeclaration(this ITool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        return AIFunctionFactory.CreateDeclaration(tool.Name, tool.Description, tool.ParametersSchema);
    }

    /// <summary>Declarations of every tool in <paramref name="registry"/>, in registration order, ready for <see cref="ChatOptions.Tools"/>.</summary>
    public static IList<AITool> ToAITools(this IToolRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return [.. registry.Tools.Select(ToDeclaration)];
    }
}
