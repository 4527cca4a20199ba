using System.ClientModel;
using System.ClientModel.Primitives;
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
}
