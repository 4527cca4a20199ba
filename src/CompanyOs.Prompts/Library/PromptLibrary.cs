using CompanyOs.Prompts.Compilation;
using CompanyOs.Prompts.Diagnostics;
using CompanyOs.Prompts.Rendering;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CompanyOs.Prompts.Library;

/// <summary>
/// The prompt library over a directory of YAML templates (<c>&lt;root&gt;/&lt;agent&gt;/&lt;name&gt;[@version].yaml</c>).
/// Templates are parsed and compiled once; <see cref="Render"/> only binds variables and runs the compiled Liquid. With
/// <see cref="PromptLibraryOptions.WatchForChanges"/> edits are picked up without a restart; a broken edit keeps the last
/// good version and is reported through <see cref="LoadErrors"/>, <see cref="Reloaded"/> and the log.
/// Thread-safe: renders read an immutable snapshot that reloads replace atomically.
/// </summary>
public sealed class PromptLibrary : IPromptLibrary, IDisposable
{
    private readonly PromptLibraryOptions _options;
    private readonly ILogger _logger;
    private readonly PromptDirectoryState _state;
    private readonly Lock _reloadGate = new();
    private readonly PromptDirectoryWatcher? _watcher;
    private volatile Snapshot _snapshot = new(PromptCatalog.Empty, []);

    /// <summary>Loads every template under <see cref="PromptLibraryOptions.Directory"/>.</summary>
    /// <exception cref="PromptException">The first load found errors and <see cref="PromptLibraryOptions.FailOnLoadErrors"/> is set;
    /// <see cref="PromptException.Diagnostics"/> lists every problem with file and line.</exception>
    public PromptLibrary(PromptLibraryOptions options, ILogger<PromptLibrary>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReloadDebounce, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxRenderedSize, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.MaxRenderTime, TimeSpan.Zero, nameof(options));
        _options = options;
        _logger = logger ?? NullLogger<PromptLibrary>.Instance;
        Directory = Path.GetFullPath(options.Directory);
        _state = new PromptDirectoryState(Directory, new PromptFileLoader(new LiquidEnvironment(options.MaxRenderedSize, options.MaxRenderTime, options.TimeProvider)));

        Reload();
        var errors = _snapshot.Errors;
        if (options.FailOnLoadErrors && errors.Count > 0)
        {
            var summary = string.Join(Environment.NewLine, errors.Take(20).Select(e => "  " + e));
            throw new PromptException($"{errors.Count} error(s) loading prompts from {Directory}:{Environment.NewLine}{summary}", errors[0].Template, errors[0].Version, errors[0].Variable)
            {
                File = errors[0].File,
                Line = errors[0].Line,
                Diagnostics = errors,
            };
        }

        if (options.WatchForChanges && System.IO.Directory.Exists(Directory))
        {
            _watcher = new PromptDirectoryWatcher(Directory, options.ReloadDebounce, options.TimeProvider, OnFilesChanged, e => PromptLibraryLog.WatcherError(_logger, e));
        }
    }

    /// <summary>Raised after every reload (manual or from the file watcher), with the current load errors.</summary>
    public event EventHandler<PromptLibraryReloadedEventArgs>? Reloaded;

    /// <summary>The absolute prompt root.</summary>
    public string Directory { get; }

    /// <summary>
    /// Problems found by the last load: files that failed to parse or compile (their last good version, if any, is still
    /// served), duplicate versions, unreadable files. Empty when every file is good.
    /// </summary>
    public IReadOnlyList<PromptDiagnostic> LoadErrors => _snapshot.Errors;

    /// <inheritdoc />
    public RenderedPrompt Render(string name, IReadOnlyDictionary<string, object?> variables, string? version = null) =>
        PromptRenderer.Render(_snapshot.Catalog.Resolve(name, version), variables);

    /// <inheritdoc />
    public IReadOnlyList<PromptInfo> List() => _snapshot.Catalog.List();

    /// <summary>The template <paramref name="name"/> with its versions, or null when there is none.</summary>
    public PromptInfo? Find(string name) => _snapshot.Catalog.Find(name);

    /// <summary>Re-reads the directory now (unchanged files are not recompiled) and returns the load errors.</summary>
    public IReadOnlyList<PromptDiagnostic> Reload()
    {
        ReloadOutcome outcome;
        lock (_reloadGate)
        {
            outcome = _state.Reload();
            _snapshot = new Snapshot(outcome.Catalog, outcome.Errors);
        }

        Report(outcome);
        Reloaded?.Invoke(this, new PromptLibraryReloadedEventArgs(outcome.Errors, outcome.Catalog.VersionCount));
        return outcome.Errors;
    }

    /// <inheritdoc />
    public void Dispose() => _watcher?.Dispose();

    private void OnFilesChanged()
    {
        try
        {
            Reload();
        }
        catch (Exception e)
        {
            // Runs on a timer thread, where any escaping exception ends the process (a file the loader did not expect, a
            // Reloaded handler that throws): the library keeps serving its last snapshot and logs why the reload failed.
            PromptLibraryLog.ReloadFailed(_logger, e);
        }
    }

    private void Report(ReloadOutcome outcome)
    {
        PromptLibraryLog.Loaded(_logger, outcome.Catalog.VersionCount, Directory, outcome.Errors.Count);
        foreach (var error in outcome.Errors)
        {
            PromptLibraryLog.LoadError(_logger, error.ToString());
        }

        foreach (var kept in outcome.KeptLastGood)
        {
            PromptLibraryLog.KeptLastGood(_logger, kept.Name, kept.Version.Text, kept.Definition.File);
        }

        foreach (var file in outcome.RemovedFiles)
        {
            PromptLibraryLog.Removed(_logger, file);
        }
    }

    private sealed record Snapshot(PromptCatalog Catalog, IReadOnlyList<PromptDiagnostic> Errors);
}
