using CompanyOs.Server.Hosting;

// dotnet run --project src/CompanyOs.Server -- [--config config/llm.yaml] [--emulator] [--keys-db data/keys.db] [--urls http://127.0.0.1:8080]
// dotnet run --project src/CompanyOs.Server -- keys create --org acme [--budget-usd 25] --keys-db data/keys.db
// `companyos serve` and `companyos keys` run the same ServerCommandLine.
return await ServerCommandLine.RunAsync(args, Console.Out, Console.Error);
