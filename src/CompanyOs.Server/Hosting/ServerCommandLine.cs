using CompanyOs.Configuration;
using CompanyOs.Llm.Configuration;
using CompanyOs.Server.Keys;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// The gateway server's command line as a callable entry, so that the <c>CompanyOs.Server</c> executable and
/// <c>companyos serve</c> / <c>companyos keys</c> run one implementation: <see cref="ServeAsync"/> (options in
/// docs/server.md) and <see cref="KeysAsync"/> (<c>keys create|list|revoke</c>).
/// </summary>
public static class ServerCommandLine
{
    /// <summary>Exit code of <see cref="ServeAsync"/> when the server cannot start (bad configuration, a provider key missing, the address in use).</summary>
    public const int CannotStart = 2;

    /// <summary>Exit code of <see cref="KeysAsync"/> for a bad or incomplete <c>keys</c> command (EX_USAGE).</summary>
    public const int KeysUsage = KeysCommand.Usage;

    /// <summary>Exit code of <see cref="KeysAsync"/> when <c>keys revoke</c> names no active key.</summary>
    public const int KeyNotFound = KeysCommand.NotFound;

    /// <summary>Exit code of <see cref="KeysAsync"/> when the key store cannot be configured, opened or created.</summary>
    public const int KeyStoreFailed = KeysCommand.StoreUnavailable;

    /// <summary>What <c>--help</c> prints for the executable (docs/server.md has every setting).</summary>
    internal const string UsageText = """
        usage: CompanyOs.Server [--config FILE] [--server-config FILE] [--emulator] [--keys-db FILE] [--urls URL] [--Section:Key=value …]
               CompanyOs.Server keys create|list|revoke …   (CompanyOs.Server keys --help)

        Runs the CompanyOS gateway server (OpenAI- and Anthropic-compatible HTTP API, agent runs, dashboard) until Ctrl+C or
        SIGTERM, then lets open streams finish.
          --config FILE         LLM configuration (default: config/llm.yaml under the content root, the directory it starts in)
          --server-config FILE  server.yaml with the server's settings (default: config/server.yaml under the content root, when present)
          --emulator            answer every provider from the built-in emulator (responses carry x-companyos-emulated: true)
          --keys-db FILE        SQLite file of API keys: every /v1 request then needs a key (create one with `keys create`)
          --urls URL            where to listen (default: urls in server.yaml, else http://127.0.0.1:8080)
          --Section:Key=value   any server or ASP.NET Core setting, e.g. --CompanyOs:Server:RunsDatabase=data/runs.db
        Exit codes: 0 stopped, 2 cannot start (the reason, with file and key, on stderr).
        """;

    /// <summary><c>keys …</c> runs <see cref="KeysAsync"/>; <c>--help</c> or <c>-h</c> prints <see cref="UsageText"/>; anything else <see cref="ServeAsync"/>.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        if (args is ["keys", ..])
        {
            return KeysAsync(args[1..], output, error, cancellationToken);
        }

        if (args.Any(static a => a is "--help" or "-h" or "-?"))
        {
            output.WriteLine(UsageText);
            return Task.FromResult(0);
        }

        return ServeAsync(args, output, error, cancellationToken);
    }

    /// <summary>
    /// Starts the server from <paramref name="args"/> (<c>--config</c>, <c>--server-config</c>, <c>--emulator</c>, <c>--keys-db</c>,
    /// <c>--urls</c>, <c>--Section:Key=value</c>), prints where it listens, and serves until the process gets SIGTERM or
    /// Ctrl+C or <paramref name="cancellationToken"/> is cancelled; then drains open streams and returns 0. When it cannot
    /// start, one line <c>error: the server cannot start: …</c> (file, key and variable named) goes to <paramref name="error"/>
    /// and the result is <see cref="CannotStart"/>.
    /// </summary>
    public static async Task<int> ServeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The host hears SIGTERM/SIGINT too once started; these also cover start-up, and a host embedded in another process.
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        GatewayServer server;
        try
        {
            server = await GatewayServer.StartAsync(args, cancellationToken: stop.Token);
        }
        catch (Exception e) when (e is ConfigurationException or OptionsValidationException or IOException)
        {
            // IOException: Kestrel could not bind (address in use, no permission) — an operator's problem, not a crash.
            await error.WriteLineAsync($"error: the server cannot start: {e.Message}");
            return CannotStart;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }

        await using (server)
        {
            await AnnounceAsync(server, output, error);
            await server.WaitForShutdownAsync(stop.Token);
        }

        await output.WriteLineAsync("CompanyOS gateway server stopped.");
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    /// <summary>
    /// <c>create --org ORG [--scopes …] [--models …] [--rpm N] [--budget-usd N] STORE</c>, <c>list STORE</c>,
    /// <c>revoke ID STORE</c> (STORE: <c>--keys-db FILE</c>, <c>--server-config FILE</c> or PostgreSQL; without the leading <c>keys</c>). The key is printed once; lists never show one.
    /// Returns 0, <see cref="KeysUsage"/>, <see cref="KeyNotFound"/> or <see cref="KeyStoreFailed"/>.
    /// </summary>
    public static Task<int> KeysAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        KeysCommand.RunAsync(["keys", .. args], output, error, cancellationToken);

    private static async Task AnnounceAsync(GatewayServer server, TextWriter output, TextWriter error)
    {
        var options = server.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        var root = server.BaseUri.ToString().TrimEnd('/');
        if (server.Emulator is { } emulator)
        {
            var providers = server.Services.GetRequiredService<LlmOptions>().Providers.Values.Where(p => p.Enabled).Select(p => p.Name);
            await error.WriteLineAsync(
                $"EMULATED: --emulator: every provider ({string.Join(", ", providers)}) is answered by the built-in CompanyOS emulator at {emulator.BaseUri}, "
                + "not a real model; every response carries x-companyos-emulated: true.");
        }

        await output.WriteLineAsync($"CompanyOS gateway server listening on {server.BaseUri}");
        await output.WriteLineAsync($"  OpenAI SDKs:    base URL {root}/v1");
        await output.WriteLineAsync($"  Anthropic SDKs: base URL {root}");
        await output.WriteLineAsync(server.Services.GetService<ServerStore>() is { } keys
            ? $"  API keys: required (key store: {keys.Database.Description})."
            : $"  API keys: off — every call is attributed to org '{options.DefaultOrg}'; keep this server on loopback (--keys-db FILE turns keys on).");
        await output.WriteLineAsync($"Stop with Ctrl+C or SIGTERM: open streams get up to {options.ShutdownDrainSeconds} s to finish.");
        await output.FlushAsync();
    }
}
