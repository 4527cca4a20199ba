using CompanyOs.Emulator.Hosting;

namespace CompanyOs.Emulator.Ollama;

/// <summary>Ollama's error body: <c>{"error":"message"}</c>.</summary>
internal sealed class OllamaErrorFormat : IErrorFormat
{
    public byte[] Render(int statusCode, string message, string? param) => JsonBody.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("error", message);
        w.WriteEndObject();
    });
}
