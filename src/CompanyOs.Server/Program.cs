using CompanyOs.Configuration;
using CompanyOs.Server.Hosting;
using CompanyOs.Server.Keys;
using Microsoft.Extensions.Options;

// dotnet run --project src/CompanyOs.Server -- [--config config/llm.yaml] [--emulator] [--keys-db data/keys.db] [--urls http://127.0.0.1:8080]
// dotnet run --project src/CompanyOs.Server -- keys create --org acme [--budget-usd 25] --keys-db data/keys.db  (see KeysCommand)
if (args is ["keys", ..])
{
    return await KeysCommand.RunAsync(args, Console.Out, Console.Error);
}

try
{
    await using var server = await GatewayServer.StartAsync(args);
    await server.WaitForShutdownAsync();
    return 0;
}
catch (Exception e) when (e is ConfigurationException or OptionsValidationException)
{
    await Console.Error.WriteLineAsync($"companyos server: cannot start: {e.Message}");
    return 2;
}
