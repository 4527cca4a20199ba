using System.ClientModel;
using CompanyOs.Emulator.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace CompanyOs.Emulator.Tests.Contract;

public sealed class OpenAIChatClientContractTests : ChatClientContractTests
{
    protected override EmulatorRoute ChatRoute => EmulatorRoute.OpenAIChatCompletions;

    protected override IChatClient CreateClient(EmulatorServer server) => SdkClients.OpenAIChat(server).AsIChatClient();

    protected override int? StatusOf(Exception exception) => (exception as ClientResultException)?.Status;
}
