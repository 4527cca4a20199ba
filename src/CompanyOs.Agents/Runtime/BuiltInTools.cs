using System.Text.Json;
using Microsoft.Extensions.AI;

namespace CompanyOs.Agents.Runtime;

/// <summary>Tools the runtime itself implements and offers to every agent, whatever its autonomy.</summary>
public static class BuiltInTools
{
    /// <summary>Asks a person a question; the run waits durably for <c>AnswerAsync</c>.</summary>
    public const string AskHuman = "ask_human";

    /// <summary>Ends the run with the given result.</summary>
    public const string CompleteTask = "complete_task";

    public static bool IsBuiltIn(string name) => name is AskHuman or CompleteTask;

    internal static AIFunctionDeclaration AskHumanDeclaration { get; } = AIFunctionFactory.CreateDeclaration(
        AskHuman,
        "Ask a human a question when you need information or a decision only a person can give. The run pauses until they answer.",
        Schema("question", "The question, self-contained and specific."));

    internal static AIFunctionDeclaration CompleteTaskDeclaration { get; } = AIFunctionFactory.CreateDeclaration(
        CompleteTask,
        "Finish the task and hand over the final result. Call this once, when the task is done.",
        Schema("result", "The final result of the task, complete and ready for the requester."));

    /// <summary>Reads the single required string argument of a built-in, or null when it is missing or empty.</summary>
    internal static string? ReadStringArgument(JsonElement arguments, string name) =>
        arguments.ValueKind == JsonValueKind.Object
        && arguments.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String
        && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : null;

    private static JsonElement Schema(string property, string description)
    {
        var schema = new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "object",
            ["properties"] = new System.Text.Json.Nodes.JsonObject
            {
                [property] = new System.Text.Json.Nodes.JsonObject { ["type"] = "string", ["description"] = description },
            },
            ["required"] = new System.Text.Json.Nodes.JsonArray(property),
            ["additionalProperties"] = false,
        };
        return JsonSerializer.SerializeToElement(schema, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(System.Text.Json.Nodes.JsonObject)));
    }
}
