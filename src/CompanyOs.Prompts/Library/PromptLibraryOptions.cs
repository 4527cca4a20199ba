namespace CompanyOs.Prompts.Library;

/// <summary>Settings of a <see cref="PromptLibrary"/>.</summary>
public sealed class PromptLibraryOptions
{
    /// <summary>The prompt root, holding <c>&lt;agent&gt;/&lt;name&gt;.yaml</c> files. Default <c>prompts</c>.</summary>
    public string Directory { get; set; } = "prompts";

    /// <summary>Watch the directory and reload edited, added or deleted files without a restart. Default false.</summary>
    public bool WatchForChanges { get; set; }

    /// <summary>Quiet time after the last file event before reloading (editors write files in several steps). Default 200 ms.</summary>
    public TimeSpan ReloadDebounce { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Throw a <see cref="PromptException"/> listing every problem when the first load finds a broken file (default true:
    /// fail at start-up). Later reloads never throw; they keep the last good version and report errors.
    /// </summary>
    public bool FailOnLoadErrors { get; set; } = true;

    /// <summary>
    /// Most characters one rendered prompt may have (all its messages together), and the largest value (text, or list
    /// counted item by item) a template may build while rendering. Past it, <c>Render</c> throws a
    /// <see cref="PromptException"/> naming the template and version. Default 1 000 000; must be positive.
    /// </summary>
    public int MaxRenderedSize { get; set; } = Compilation.RenderLimits.DefaultMaxRenderedSize;

    /// <summary>
    /// Longest one <c>Render</c> may take. The step limit counts statements, but one statement can chain any number of
    /// filters over a value of up to <see cref="MaxRenderedSize"/> characters, so steps alone do not bound the time; past
    /// this, <c>Render</c> throws a <see cref="PromptException"/> naming the template. Checked at every filter call.
    /// Default 5 s; must be positive.
    /// </summary>
    public TimeSpan MaxRenderTime { get; set; } = Compilation.RenderLimits.DefaultMaxRenderTime;

    /// <summary>Clock for the reload debounce timer and <see cref="MaxRenderTime"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
