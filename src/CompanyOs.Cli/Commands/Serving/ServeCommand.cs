using System.CommandLine;
using System.Text.RegularExpressions;
using CompanyOs.Cli.Errors;
using CompanyOs.Cli.Hosting;
using CompanyOs.Server.Hosting;

namespace CompanyOs.Cli.Commands.Serving;

/// <summary>
/// <c>companyos serve</c>: the gateway server (<c>src/CompanyOs.Server</c>) in this process, through the server's own
/// entry (<see cref="ServerCommandLine.ServeAsync"/>): same options, start-up errors and SIGTERM drain as its executable.
/// </summary>
internal static partial class ServeCommand
{
    public const string Name = "serve";

    public static Command Create(CliEnvironment environment)
    {
        var config = new Option<string?>("--config", "-c")
        {
            Description = $"LLM configuration (default: {ConfigFileLocator.DefaultPath}, looked up from here upwards like every command).",
        };
        var emulator = new Option<bool>("--emulator")
        {
            Description = "Answer every provider from the built-in emulator (said on stderr; every response carries x-companyos-emulated: true). "
                + "Without it, a provider whose key variable is unset stops start-up, naming the file, key and variable.",
        };
        var keysDb = new Option<string?>("--keys-db")
        {
            Description = "SQLite file of API keys (see `companyos keys`): every /v1 request then needs a key, and its org pays. Default: keys off.",
        };
        var serverConfig = new Option<string?>("--server-config")
        {
            Description = "server.yaml with the server's settings (default: server.yaml next to the LLM configuration, when there is one).",
        };
        var urls = new Option<string?>("--urls") { Description = $"Where to listen (default: urls in server.yaml, else {DefaultUrl}; loopback unless told otherwise)." };
        var command = new Command(Name, "Run the gateway server (OpenAI- and Anthropic-compatible HTTP API) until Ctrl+C or SIGTERM; --Section:Key=value sets any server setting.")
        {
            config, emulator, keysDb, serverConfig, urls,
        };
        // Any ASP.NET Core or CompanyOs:Server setting may follow as --Section:Key=value, as for the server's executable.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => CommandBoundary.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            var settings = parse.UnmatchedTokens.ToList();
            if (settings.FirstOrDefault(t => !SettingPattern().IsMatch(t)) is { } unknown)
            {
                throw new CliUsageException($"'{unknown}' is not an option of serve; settings go as --Section:Key=value (e.g. --CompanyOs:Server:DefaultOrg=acme). See: companyos serve --help");
            }

            var llm = ConfigFileLocator.Locate(parse.GetValue(config), environment.WorkingDirectory);
            List<string> args = ["--contentRoot", environment.WorkingDirectory, "--config", llm];
            if (parse.GetValue(serverConfig) is { } named)
            {
                args.AddRange(["--server-config", Path.GetFullPath(named, environment.WorkingDirectory)]);
            }
            else if (Path.Combine(Path.GetDirectoryName(llm)!, "server.yaml") is var beside && File.Exists(beside))
            {
                args.AddRange(["--server-config", beside]);
            }

            if (parse.GetValue(keysDb) is { } keys)
            {
                args.AddRange(["--keys-db", Path.GetFullPath(keys, environment.WorkingDirectory)]);
            }

            if (parse.GetValue(urls) is { } listen)
            {
                args.AddRange(["--urls", listen]);
            }

            if (parse.GetValue(emulator))
            {
                args.Add("--emulator");
            }

            var exit = await ServerCommandLine.ServeAsync([.. args, .. settings], parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken)
                .ConfigureAwait(false);
            return exit == ServerCommandLine.CannotStart ? ExitCodes.BadInput : exit;
        }));
        return command;
    }

    private const string DefaultUrl = "http://127.0.0.1:8080";

    [GeneratedRegex(@"^--[A-Za-z][\w.]*(:[\w.]+)+=", RegexOptions.CultureInvariant)]
    private static partial Regex SettingPattern();
}
