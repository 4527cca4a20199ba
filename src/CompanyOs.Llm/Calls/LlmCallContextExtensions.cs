using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Calls;

public static class LlmCallContextExtensions
{
    /// <summary>Attaches <paramref name="context"/> to the options (creating them when null) and returns them.</summary>
    public static ChatOptions WithCallContext(this ChatOptions? options, LlmCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        options ??= new ChatOptions();
        options.AdditionalProperties ??= [];
        options.AdditionalProperties[LlmCallContext.PropertyKey] = context;
        return options;
    }

    /// <summary>The context attached with <see cref="WithCallContext"/>, or null.</summary>
    public static LlmCallContext? GetCallContext(this ChatOptions? options) =>
        options?.AdditionalProperties is { } props && props.TryGetValue(LlmCallContext.PropertyKey, out var value)
            ? value as LlmCallContext
            : null;
}
