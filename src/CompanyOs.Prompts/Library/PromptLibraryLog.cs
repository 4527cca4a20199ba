using Microsoft.Extensions.Logging;

namespace CompanyOs.Prompts.Library;

internal static partial class PromptLibraryLog
{
    [LoggerMessage(1, LogLevel.Information, "Loaded {VersionCount} prompt versions from {Directory} ({ErrorCount} errors)")]
    public static partial void Loaded(ILogger logger, int versionCount, string directory, int errorCount);

    [LoggerMessage(2, LogLevel.Error, "Prompt load error: {Diagnostic}")]
    public static partial void LoadError(ILogger logger, string diagnostic);

    [LoggerMessage(3, LogLevel.Warning, "Prompt '{Name}' keeps serving its last good version {Version} from {File} until the file is fixed")]
    public static partial void KeptLastGood(ILogger logger, string name, string version, string file);

    [LoggerMessage(4, LogLevel.Information, "Prompt file {File} was removed")]
    public static partial void Removed(ILogger logger, string file);

    [LoggerMessage(5, LogLevel.Warning, "Prompt file watcher failed; a full reload was scheduled")]
    public static partial void WatcherError(ILogger logger, Exception exception);

    [LoggerMessage(6, LogLevel.Error, "Prompt reload failed")]
    public static partial void ReloadFailed(ILogger logger, Exception exception);
}
