using System.Globalization;

namespace CompanyOs.Cli.Runs;

/// <summary>
/// The transient status line on a terminal: a spinner, what runs (a model call, a tool), the seconds it has taken and the
/// latest retry or fallback, redrawn in place ten times a second and erased before anything else is written
/// (<see cref="Above"/>). Only used when standard output is a terminal; <c>NO_COLOR</c> only drops its dimming.
/// </summary>
internal sealed class TerminalStatus : IAsyncDisposable
{
    /// <summary>Carriage return, then erase the whole line: what clears the status before a step line.</summary>
    public const string Erase = "\r\u001b[2K";

    public static readonly string[] Frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

    private readonly TextWriter _terminal;
    private readonly TimeProvider _time;
    private readonly bool _colours;
    private readonly int _width;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private string? _activity;
    private string? _note;
    private long _since;
    private int _frame;
    private bool _drawn;

    public TerminalStatus(TextWriter terminal, TimeProvider time, bool colours, int? width)
    {
        _terminal = terminal;
        _time = time;
        _colours = colours;
        _width = Math.Max(20, (width ?? 80) - 1);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Shows <paramref name="activity"/> (e.g. <c>model anthropic/claude-…</c>) with its elapsed time from now.</summary>
    public void Show(string activity)
    {
        lock (_gate)
        {
            _activity = activity;
            _note = null;
            _since = _time.GetTimestamp();
            Draw();
        }
    }

    /// <summary>Adds a note (a retry, a fallback) to the current activity, keeping its elapsed time.</summary>
    public void Note(string note)
    {
        lock (_gate)
        {
            if (_activity is null)
            {
                _activity = "model";
                _since = _time.GetTimestamp();
            }

            _note = note;
            Draw();
        }
    }

    /// <summary>Erases the status; nothing is drawn until the next <see cref="Show"/>.</summary>
    public void Hide()
    {
        lock (_gate)
        {
            _activity = null;
            _note = null;
            Clear();
        }
    }

    /// <summary>Erases the status, runs <paramref name="write"/> (which prints whole lines), then draws the status again if one is shown.</summary>
    public void Above(Action write)
    {
        ArgumentNullException.ThrowIfNull(write);
        lock (_gate)
        {
            Clear();
            write();
            if (_activity is not null)
            {
                Draw();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        Hide();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                lock (_gate)
                {
                    if (_activity is not null)
                    {
                        Draw();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private void Draw()
    {
        var elapsed = _time.GetElapsedTime(_since).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        // A retry or fallback note replaces the activity (it names the provider), so that it fits a narrow terminal.
        var text = $"{Frames[_frame++ % Frames.Length]} {_note ?? _activity} · {elapsed}s";
        if (text.Length > _width)
        {
            text = text[..(_width - 1)] + "…";
        }

        _terminal.Write(_colours ? $"{Erase}\u001b[2m{text}\u001b[0m" : Erase + text);
        _terminal.Flush();
        _drawn = true;
    }

    private void Clear()
    {
        if (_drawn)
        {
            _terminal.Write(Erase);
            _terminal.Flush();
            _drawn = false;
        }
    }
}
