using System.Net.Sockets;
using CompanyOs.Llm.Configuration;

namespace CompanyOs.Cli.Commands.Doctor;

/// <summary>
/// Whether a provider's base URL answers HTTP at all, and how fast: one bounded GET without the API key (any status,
/// even 401 or 404, means the service is there). A refused connection, a DNS failure or no answer in time is a problem
/// with the fix, never an exception.
/// </summary>
internal static class ProviderProbe
{
    public static Uri BaseUrlOf(ProviderOptions provider) => provider.BaseUrl ?? provider.Kind switch
    {
        ProviderKind.Anthropic => new Uri("https://api.anthropic.com/"),
        ProviderKind.OpenAI => new Uri("https://api.openai.com/v1"),
        _ => new Uri("http://127.0.0.1:11434/"),
    };

    public static async Task<DoctorFinding> ProbeAsync(ProviderOptions provider, string configFile, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var url = BaseUrlOf(provider);
        var fix = provider.BaseUrl is null
            ? $"check this machine's network and proxy (HTTPS_PROXY) for {url.Host}, or set providers.{provider.Name}.base_url in {configFile}"
            : $"start the server at {url}, or correct providers.{provider.Name}.base_url in {configFile} (or set enabled: false)";
        using var handler = new SocketsHttpHandler { ConnectTimeout = timeout, AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { Timeout = timeout };
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var latency = TimeProvider.System.GetElapsedTime(started);
            return DoctorFinding.Ok("providers", provider.Name, $"{url} answered (HTTP {(int)response.StatusCode}) in {latency.TotalMilliseconds:0} ms") with { Latency = latency };
        }
        catch (HttpRequestException e)
        {
            var why = e.InnerException is SocketException socket ? SocketReason(socket) : e.HttpRequestError.ToString();
            return DoctorFinding.Problem("providers", provider.Name, $"{url} is unreachable ({why})", fix);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DoctorFinding.Problem("providers", provider.Name, $"{url} did not answer within {timeout.TotalSeconds:0.#} s", fix);
        }
    }

    private static string SocketReason(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused: nothing listens there",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "the host name does not resolve",
        SocketError.TimedOut => "the connection timed out",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "no route to the host",
        _ => e.SocketErrorCode.ToString(),
    };
}
