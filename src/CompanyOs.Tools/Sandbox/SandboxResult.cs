namespace CompanyOs.Tools.Sandbox;

/// <summary>What a sandboxed run produced and how it ended.</summary>
/// <param name="ExitCode">The interpreter's exit code (128+signal when killed by a signal, as a shell reports it).</param>
/// <param name="Stdout">Captured standard output (possibly cut at the output cap).</param>
/// <param name="Stderr">Captured standard error (possibly cut at the output cap).</param>
/// <param name="TimedOut">The wall-clock limit passed and the sandbox was killed.</param>
/// <param name="OutputTruncated">Output passed the cap; the rest was dropped and the sandbox killed.</param>
/// <param name="Elapsed">Wall time of the run.</param>
public sealed record SandboxResult(int ExitCode, string Stdout, string Stderr, bool TimedOut, bool OutputTruncated, TimeSpan Elapsed);
