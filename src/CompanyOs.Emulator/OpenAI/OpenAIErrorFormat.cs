using CompanyOs.Emulator.Hosting;

namespace CompanyOs.Emulator.OpenAI;

/// <summary>OpenAI's error body: <c>{"error":{"message","type","param","code"}}</c>.</summary>
internal sealed class OpenAIErrorFormat : IErrorFormat
{
    public byte[] Render(int statusCode, string message, string? param)
    {
        var (type, code) = statusCode switch
        {
            400 => ("invalid_request_error", (string?)null),
            401 => ("invalid_request_error", "invalid_api_key"),
            403 => ("invalid_request_error", "unsupported_country_region_territory"),
            404 => ("invalid_request_error", "model_not_found"),
            429 => ("requests", "rate_limit_exceeded"),
            >= 500 => ("server_error", null),
            _ => ("invalid_request_error", null),
        };

        return JsonBody.Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteString("message", message);
            w.WriteString("type", type);
            w.WriteString("param", param);
            w.WriteString("code", code);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }
}
