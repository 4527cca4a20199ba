using System.Text.Json;
using CompanyOs.Emulator.Conversation;
using CompanyOs.Emulator.Model;

namespace CompanyOs.Emulator.Hosting;

/// <summary>One provider's chat wire format: request parsing, JSON and streamed responses, errors.</summary>
internal interface IChatDialect : IErrorFormat
{
    EmulatorRoute Route { get; }

    string StreamContentType { get; }

    /// <exception cref="InvalidRequestException">The request is invalid for this provider.</exception>
    EmulatedRequest Parse(JsonElement root);

    byte[] RenderJson(EmulatedRequest request, ModelTurn turn, DateTimeOffset now);

    IReadOnlyList<byte[]> RenderStream(EmulatedRequest request, ModelTurn turn, DateTimeOffset now);
}
