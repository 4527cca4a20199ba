using Microsoft.Extensions.Logging;

namespace CompanyOs.Server.Hosting;

internal static partial class ServerLog
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Warning,
        Message = "EMULATOR MODE: every provider ({Providers}) is answered by the in-process emulator at {EmulatorUri}; no real model is called and every response carries x-companyos-emulated: true")]
    public static partial void EmulatorMode(ILogger logger, string providers, Uri emulatorUri);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "CompanyOS gateway server listening on {Addresses}")]
    public static partial void Listening(ILogger logger, Uri addresses);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "{Endpoint}: upstream failure from provider {Provider} ({Kind}), answered {Status}")]
    public static partial void UpstreamFailure(ILogger logger, string endpoint, string provider, string kind, int status);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "{Endpoint}: stream failed after output started ({Error}); ended with an error event")]
    public static partial void StreamFailed(ILogger logger, string endpoint, string error);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning,
        Message = "API keys are off (no CompanyOs:Server:KeysDatabase): every /v1 request is accepted and attributed to org '{Org}'; keep this server on loopback")]
    public static partial void KeysOff(ILogger logger, string org);
}
