using Microsoft.Extensions.Logging;

namespace CompanyOs.Emulator.Hosting;

/// <summary>Source-generated log messages. Bodies and secret headers are never logged.</summary>
internal static partial class EmulatorLog
{
    [LoggerMessage(1, LogLevel.Information, "Provider emulator listening on {BaseUri}")]
    public static partial void Listening(ILogger logger, Uri baseUri);

    [LoggerMessage(2, LogLevel.Debug, "{Route} request: model {Model}, stream {Stream}")]
    public static partial void ChatRequest(ILogger logger, EmulatorRoute route, string model, bool stream);

    [LoggerMessage(3, LogLevel.Information, "{Route}: injecting fault {Fault}")]
    public static partial void FaultInjected(ILogger logger, EmulatorRoute route, string fault);

    [LoggerMessage(4, LogLevel.Information, "{Route}: rejected with {StatusCode}: {Reason}")]
    public static partial void Rejected(ILogger logger, EmulatorRoute route, int statusCode, string reason);
}
