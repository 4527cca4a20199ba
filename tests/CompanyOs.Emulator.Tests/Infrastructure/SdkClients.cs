using System.ClientModel;
using System.ClientModel.Primitives;
using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using OllamaSharp;
using OllamaSharp.Models.Exceptions;
using OpenAI;
using OpenAI.Chat;

namespace CompanyOs.Emulator.Tests.Infrastructure;

/// <summary>Official SDK clients pointed at an emulator, with SDK retries off so each call is one request.</summary>
internal static class SdkClients
{
    public static ChatClient OpenAIChat(EmulatorServer server, string model = "gpt-4o", string apiKey = "sk-test-key") =>
        new(model, new ApiKeyCredential(apiKey), new OpenAIClientOptions
        {
            Endpoint = server.OpenAIEndpoint,
            RetryPolicy = new ClientRetryPolicy(0),
            NetworkTimeout = TimeSpan.FromSeconds(20),
        });

    /// <summary>Anthropic client with response validation on: every field the SDK models must parse.</summary>
    public static AnthropicClient Anthropic(EmulatorServer server, string apiKey = "sk-ant-test-key") =>
        new(new ClientOptions
        {
            ApiKey = apiKey,
            BaseUrl = server.BaseUri.ToString().TrimEnd('/'),
            MaxRetries = 0,
            ResponseValidation = true,
            Timeout = TimeSpan.FromSeconds(20),
        });

    public static OllamaApiClient Ollama(EmulatorServer server, string model = "llama3.2") => new(server.BaseUri, model);

    public static int? AnthropicStatus(Exception exception) =>
        exception is AnthropicApiException api ? (int)api.StatusCode : null;

    /// <summary>OllamaSharp throws <see cref="OllamaException"/> for 400 (status not kept) and HttpRequestException otherwise.</summary>
    public static int? OllamaStatus(Exception exception) => exception switch
    {
        OllamaException => 400,
        HttpRequestException { StatusCode: { } status } => (int)status,
        _ => null,
    };
}
