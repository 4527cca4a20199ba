using CompanyOs.Emulator.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace CompanyOs.Emulator.Tests.Contract;

public sealed class OllamaChatClientContractTests : ChatClientContractTests
{
    protected override EmulatorRoute ChatRoute => EmulatorRoute.OllamaChat;

    protected override IChatClient CreateClient(EmulatorServer server) => SdkClients.Ollama(server);

    protected override ChatFinishReason ToolCallFinishReason => ChatFinishReason.Stop;

    protected override bool SdkKeepsWireIds => false;

    protected override int? StatusOf(Exception exception) => SdkClients.OllamaStatus(exception);
}
