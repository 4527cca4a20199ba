using CompanyOs.Emulator.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace CompanyOs.Emulator.Tests.Contract;

public sealed class AnthropicChatClientContractTests : ChatClientContractTests
{
    protected override EmulatorRoute ChatRoute => EmulatorRoute.AnthropicMessages;

    protected override IChatClient CreateClient(EmulatorServer server) =>
        SdkClients.Anthropic(server).AsIChatClient("claude-sonnet-4-5-20250929", 1024);

    protected override int? StatusOf(Exception exception) => SdkClients.AnthropicStatus(exception);
}
