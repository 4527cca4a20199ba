using System.CommandLine;
using CompanyOs.Cli.Errors;
using CompanyOs.Server.Hosting;

namespace CompanyOs.Cli.Commands.Serving;

/// <summary>
/// <c>companyos keys create|list|revoke</c>: the server's API keys, through the server's own <c>keys</c> command
/// (<see cref="ServerCommandLine.KeysAsync"/>) on the same key database, so there is one implementation. The key is
/// printed once, at creation; <c>list</c> shows ids and prefixes, never a key.
/// </summary>
internal static class KeysCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var command = new Command("keys", "Create, list and revoke the API keys of `companyos serve --keys-db FILE` (a key is shown once, only its hash is stored).");
        command.Subcommands.Add(CreateCommand(environment));
        command.Subcommands.Add(ListCommand(environment));
        command.Subcommands.Add(RevokeCommand(environment));
        return command;
    }

    private static Command CreateCommand(CliEnvironment environment)
    {
        var database = KeysDatabase();
        var org = new Option<string>("--org") { Description = "Organisation the key belongs to: its calls are attributed to and paid by this org.", Required = true };
        var scopes = new Option<string?>("--scopes") { Description = "Comma-separated scopes: gateway, agents, admin (default: gateway)." };
        var models = new Option<string?>("--models") { Description = "Comma-separated models (or aliases) the key may use (default: all)." };
        var rpm = new Option<string?>("--rpm") { Description = "Requests per minute allowed to this key (default: no limit)." };
        var budget = new Option<string?>("--budget-usd") { Description = "Lifetime budget of the key in USD; calls past it get 429 insufficient_quota (default: none)." };
        var command = new Command("create", "Create a key for an organisation and print it once; only its hash is stored.") { org, scopes, models, rpm, budget, database };
        command.SetAction((parse, ct) =>
        {
            List<string> args = ["create", "--org", parse.GetValue(org)!];
            foreach (var (name, value) in new[] { ("--scopes", parse.GetValue(scopes)), ("--models", parse.GetValue(models)), ("--rpm", parse.GetValue(rpm)), ("--budget-usd", parse.GetValue(budget)) })
            {
                if (value is not null)
                {
                    args.AddRange([name, value]);
                }
            }

            return RunAsync(args, parse, database, environment, ct);
        });
        return command;
    }

    private static Command ListCommand(CliEnvironment environment)
    {
        var database = KeysDatabase();
        var command = new Command("list", "List every key: id, visible prefix, org, scopes, models, rpm, budget and spend, active or revoked (never the key).") { database };
        command.SetAction((parse, ct) => RunAsync(["list"], parse, database, environment, ct));
        return command;
    }

    private static Command RevokeCommand(CliEnvironment environment)
    {
        var database = KeysDatabase();
        var id = new Argument<string>("id") { Description = "The key's id (key_…), as `keys list` shows it." };
        var command = new Command("revoke", "Revoke a key: requests with it get 401 from then on.") { id, database };
        command.SetAction((parse, ct) => RunAsync(["revoke", parse.GetValue(id)!], parse, database, environment, ct));
        return command;
    }

    private static Option<string> KeysDatabase() => new("--keys-db")
    {
        Description = "The SQLite key database the server is started with (`companyos serve --keys-db FILE`); created when missing.",
        Required = true,
    };

    private static Task<int> RunAsync(List<string> args, ParseResult parse, Option<string> database, CliEnvironment environment, CancellationToken cancellationToken) =>
        CommandBoundary.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            var path = Path.GetFullPath(parse.GetValue(database)!, environment.WorkingDirectory);
            if (Directory.Exists(path))
            {
                throw new CliUsageException($"--keys-db '{path}' is a directory; give the database file, e.g. --keys-db {Path.Combine(path, "keys.db")}");
            }

            // The server's command writes its complaints bare; here every error line starts with "error:" like all commands.
            using var complaints = new StringWriter();
            var exit = await ServerCommandLine.KeysAsync([.. args, "--keys-db", path], parse.InvocationConfiguration.Output, complaints, cancellationToken)
                .ConfigureAwait(false);
            // The server's usage block describes its own executable's options: here `--help` is the reference.
            foreach (var line in complaints.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .TakeWhile(l => !l.StartsWith("usage:", StringComparison.Ordinal)))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(line.StartsWith("error:", StringComparison.Ordinal) ? line : "error: " + line).ConfigureAwait(false);
            }

            if (exit == ServerCommandLine.KeysUsage)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"See: companyos keys {args[0]} --help").ConfigureAwait(false);
            }

            return exit switch
            {
                0 => ExitCodes.Success,
                ServerCommandLine.KeyStoreFailed => ExitCodes.ProviderFailed,
                _ => ExitCodes.BadInput,
            };
        });
}
