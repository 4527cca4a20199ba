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

    [LoggerMessage(EventId = 5005, Level = LogLevel.Error,
        Message = "Budget spend of a finished call could not be stored for {Scopes} (${Usd}, {Tokens} tokens): {Reason}")]
    public static partial void SpendNotRecorded(ILogger logger, string scopes, decimal usd, long tokens, string reason);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Error, Message = "{Count} usage records could not be stored (kept; retried every second): {Reason}")]
    public static partial void UsageNotRecorded(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Error, Message = "{Count} usage records are lost: the store still failed when the server stopped: {Reason}")]
    public static partial void UsageLost(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Debug,
        Message = "Trimmed {Mappings} read-only file mappings ({AddressSpaceMegabytes} MB of address space) from the resident set after {CompiledMethods} JIT-compiled methods")]
    public static partial void FilePagesTrimmed(ILogger logger, int mappings, long addressSpaceMegabytes, long compiledMethods);
}
