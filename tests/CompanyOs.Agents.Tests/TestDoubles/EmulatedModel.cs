using System.Text.Json;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Resilience;
using CompanyOs.Llm.Providers;

namespace CompanyOs.Agents.Tests.TestDoubles;

/// <summary>
/// The model side of an agent test on the real stack: the emulator on 127.0.0.1 speaking a provider's wire format, the
/// official SDK client for that provider, and the gateway pipeline (limits, retries, fallback, cost) in front of it.
/// Reads back what the runtime really sent from the emulator's request ledger.
/// </summary>
internal sealed class EmulatedModel : IAsyncDisposable
{
    private EmulatedModel(EmulatorServer server, ProviderKind kind, LlmGateway gateway)
    {
        Server = server;
        Kind = kind;
        Gateway = gateway;
    }

    public EmulatorServer Server { get; }

    public ProviderKind Kind { get; }

    /// <summary>The gateway: the <c>IChatClient</c> the runtime gets.</summary>
    public LlmGateway Gateway { get; }

    /// <summary>The model id the gateway sends for this provider (priced in the shipped price table).</summary>
    public string Model => Kind == ProviderKind.Anthropic ? "claude-3-5-haiku-20241022" : "gpt-4o-mini";

    /// <summary>
    /// Starts an emulator and a gateway whose provider <c>a</c> is <paramref name="kind"/>; <paramref name="fallback"/> adds provider
    /// <c>b</c>. <paramref name="recordContents"/>: the gateway records prompts and answers on its spans (off whatever the environment says).
    /// </summary>
    public static async Task<EmulatedModel> StartAsync(ProviderKind kind, CancellationToken cancellationToken, ProviderKind? fallback = null, bool recordContents = false)
    {
        var server = await EmulatorServer.StartAsync(cancellationToken: cancellationToken);
        var a = Provider(server, "a", kind);
        var providers = fallback is { } other ? new[] { a with { FallbackProvider = "b" }, Provider(server, "b", other) } : [a];
        return new EmulatedModel(server, kind, LlmGateway.CreateBuilder(Options(providers), new ProviderClientFactory()).WithContentRecording(recordContents).Build());
    }

    /// <summary>Scripts the model's next turns (see <see cref="ScriptedTurn"/>).</summary>
    public void Enqueue(params ScriptedTurn[] turns) => Server.Script.Enqueue(turns);

    /// <summary>The chat requests the emulator received, in order (retries included).</summary>
    public IReadOnlyList<JsonElement> ChatRequests() =>
        [.. Server.Requests
            .Where(r => r.Route is EmulatorRoute.OpenAIChatCompletions or EmulatorRoute.AnthropicMessages or EmulatorRoute.OllamaChat)
            .Select(r => JsonDocument.Parse(r.Body).RootElement.Clone())];

    /// <summary>The tool results (call id, content) in chat request <paramref name="index"/>, as the provider's wire format carries them.</summary>
    public IReadOnlyList<(string CallId, string Content)> ToolResultsIn(int index)
    {
        var request = ChatRequests()[index];
        var results = new List<(string, string)>();
        foreach (var message in request.GetProperty("messages").EnumerateArray())
        {
            if (Kind == ProviderKind.Anthropic)
            {
                if (message.GetProperty("content") is { ValueKind: JsonValueKind.Array } blocks)
                {
                    results.AddRange(blocks.EnumerateArray()
                        .Where(b => b.GetProperty("type").GetString() == "tool_result")
                        .Select(b => (b.GetProperty("tool_use_id").GetString()!, AnthropicText(b.GetProperty("content")))));
                }
            }
            else if (message.GetProperty("role").GetString() == "tool")
            {
                results.Add((message.GetProperty("tool_call_id").GetString()!, message.GetProperty("content").GetString()!));
            }
        }

        return results;
    }

    /// <summary>The text of the last message of chat request <paramref name="index"/>.</summary>
    public string LastMessageTextIn(int index)
    {
        var last = ChatRequests()[index].GetProperty("messages").EnumerateArray().Last().GetProperty("content");
        return last.ValueKind == JsonValueKind.String ? last.GetString()! : AnthropicText(last);
    }

    /// <summary>Whether chat request <paramref name="index"/> forbade tool use (<c>tool_choice</c> none) while still declaring tools.</summary>
    public bool ToolUseForbiddenIn(int index)
    {
        var request = ChatRequests()[index];
        if (!request.TryGetProperty("tool_choice", out var choice))
        {
            return false;
        }

        var mode = choice.ValueKind == JsonValueKind.String ? choice.GetString() : choice.GetProperty("type").GetString();
        return mode == "none" && request.GetProperty("tools").GetArrayLength() > 0;
    }

    public async ValueTask DisposeAsync()
    {
        Gateway.Dispose();
        await Server.DisposeAsync();
    }

    private static string AnthropicText(JsonElement content) => content.ValueKind == JsonValueKind.String
        ? content.GetString()!
        : string.Concat(content.EnumerateArray().Where(b => b.GetProperty("type").GetString() == "text").Select(b => b.GetProperty("text").GetString()));

    private static ProviderOptions Provider(EmulatorServer server, string name, ProviderKind kind) => new()
    {
        Name = name,
        Kind = kind,
        ApiKey = kind == ProviderKind.Ollama ? null : $"sk-test-{name}",
        BaseUrl = kind == ProviderKind.OpenAI ? server.OpenAIEndpoint : server.BaseUri,
        DefaultModel = kind switch
        {
            ProviderKind.Anthropic => "claude-3-5-haiku-20241022",
            ProviderKind.Ollama => "llama3.1",
            _ => "gpt-4o-mini",
        },
        FallbackModels = kind == ProviderKind.Anthropic ? new Dictionary<string, string> { ["gpt-4o-mini"] = "claude-3-5-haiku-20241022" } : new Dictionary<string, string>(),
        MaxRetries = 1,
        Timeout = TimeSpan.FromSeconds(30),
    };

    private static LlmOptions Options(IEnumerable<ProviderOptions> providers) => new()
    {
        SourceFile = "test/llm.yaml",
        Providers = providers.ToDictionary(p => p.Name),
        DefaultProvider = "a",
        Retry = new RetryPolicyOptions
        {
            BaseDelay = TimeSpan.FromMilliseconds(1),
            MaxDelay = TimeSpan.FromMilliseconds(5),
            MaxRetryAfter = TimeSpan.FromSeconds(1),
            TotalDeadline = TimeSpan.FromSeconds(30),
        },
    };
}
