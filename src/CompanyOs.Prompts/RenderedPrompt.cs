using Microsoft.Extensions.AI;

namespace CompanyOs.Prompts;

/// <summary>
/// A rendered template, ready for the gateway: the system message, the few-shot examples as user/assistant pairs, then the
/// user message. <see cref="Name"/> and <see cref="Version"/> travel with every LLM call it produces.
/// </summary>
public sealed record RenderedPrompt(string Name, string Version, string? System, string? User, IReadOnlyList<ChatMessage> Messages);
