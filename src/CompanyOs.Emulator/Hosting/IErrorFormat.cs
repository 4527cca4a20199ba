namespace CompanyOs.Emulator.Hosting;

/// <summary>Renders an error body in one provider's own error JSON.</summary>
internal interface IErrorFormat
{
    byte[] Render(int statusCode, string message, string? param);
}
