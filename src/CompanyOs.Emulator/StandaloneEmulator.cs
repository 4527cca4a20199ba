using System.Runtime.InteropServices;

namespace CompanyOs.Emulator;

/// <summary>
/// The emulator as a program of its own — the <c>CompanyOs.Emulator</c> executable and <c>companyos emulator</c>: starts an
/// <see cref="EmulatorServer"/>, says that it is an emulator and which base URL each SDK takes, and runs until SIGTERM,
/// Ctrl+C (SIGINT) or cancellation; then stops and returns 0.
/// </summary>
public static class StandaloneEmulator
{
    /// <summary>Exit code when the emulator cannot start (the port is taken, a bad option).</summary>
    public const int CannotStart = 2;

    /// <summary>How long responses still open when stopping starts may go on before they are cut.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    /// <summary>Runs an emulator with <paramref name="options"/> until SIGTERM, SIGINT or <paramref name="cancellationToken"/>.</summary>
    /// <returns>0 after a clean stop; <see cref="CannotStart"/> (with <c>error: …</c> on <paramref name="error"/>) when it could not start.</returns>
    public static async Task<int> RunAsync(EmulatorOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The web host inside EmulatorServer also hears these signals, but it only flags its own lifetime, which nothing
        // waits on: without handlers here SIGTERM was swallowed and the emulator ran on until kill -9.
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        EmulatorServer server;
        try
        {
            server = await EmulatorServer.StartAsync(options, stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            await error.WriteLineAsync($"error: the emulator cannot start: {e.Message}").ConfigureAwait(false);
            return CannotStart;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }

        await using (server.ConfigureAwait(false))
        {
            await AnnounceAsync(server, output).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            using var grace = new CancellationTokenSource(StopGrace);
            await server.StopAsync(grace.Token).ConfigureAwait(false);
        }

        await output.WriteLineAsync("CompanyOS provider emulator stopped.").ConfigureAwait(false);
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static async Task AnnounceAsync(EmulatorServer server, TextWriter output)
    {
        var root = server.BaseUri.ToString().TrimEnd('/');
        await output.WriteLineAsync($"CompanyOS provider EMULATOR listening on {server.BaseUri} — a scripted, deterministic stand-in, not a real model.").ConfigureAwait(false);
        await output.WriteLineAsync($"  OpenAI SDKs:    base URL {root}/v1   (OPENAI_BASE_URL)").ConfigureAwait(false);
        await output.WriteLineAsync($"  Anthropic SDKs: base URL {root}      (ANTHROPIC_BASE_URL)").ConfigureAwait(false);
        await output.WriteLineAsync($"  Ollama:         {root}      (OLLAMA_HOST)").ConfigureAwait(false);
        await output.WriteLineAsync(server.Options.ApiKey is null
            ? "  Any API key is accepted."
            : "  Requests must carry the API key given with --api-key (Authorization: Bearer or x-api-key).").ConfigureAwait(false);
        await output.WriteLineAsync("Stop with Ctrl+C or SIGTERM.").ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }
}
