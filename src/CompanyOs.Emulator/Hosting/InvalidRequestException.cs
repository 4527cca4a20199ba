namespace CompanyOs.Emulator.Hosting;

/// <summary>A request the real provider would reject with 400; <see cref="Param"/> names the offending field.</summary>
internal sealed class InvalidRequestException(string message, string? param = null) : Exception(message)
{
    public string? Param { get; } = param;
}
