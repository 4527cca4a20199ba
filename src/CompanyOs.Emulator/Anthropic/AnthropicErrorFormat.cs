using CompanyOs.Emulator.Hosting;
using CompanyOs.Emulator.Model;

namespace CompanyOs.Emulator.Anthropic;

/// <summary>Anthropic's error body: <c>{"type":"error","error":{"type","message"},"request_id"}</c>.</summary>
internal sealed class AnthropicErrorFormat : IErrorFormat
{
    public byte[] Render(int statusCode, string message, string? param) => JsonBody.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "error");
        w.WriteStartObject("error");
        w.WriteString("type", ErrorType(statusCode));
        w.WriteString("message", message);
        w.WriteEndObject();
        w.WriteString("request_id", "req_011" + DeterministicIds.Derive(message, statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), 21));
        w.WriteEndObject();
    });

    public static string ErrorType(int statusCode) => statusCode switch
    {
        400 => "invalid_request_error",
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        504 => "timeout_error",
        529 => "overloaded_error",
        _ => "api_error",
    };
}
