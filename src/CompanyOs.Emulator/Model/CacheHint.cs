namespace CompanyOs.Emulator.Model;

/// <summary>Prompt-cache token counts requested for a response (header <c>x-emulator-cache: read=N;write=M</c>).</summary>
internal readonly record struct CacheHint(int Read, int Write)
{
    public static CacheHint None => default;
}
