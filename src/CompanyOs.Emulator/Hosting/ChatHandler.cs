using System.Text.Json;

namespace CompanyOs.Emulator.Hosting;

/// <summary>Runs a chat request through a dialect: parse, consult the script, generate, render.</summary>
internal static class ChatHandler
{
    public static async Task HandleAsync(RequestScope scope, IChatDialect dialect)
    {
        var state = scope.State;
        Conversation.EmulatedRequest request;
        try
        {
            using var doc = JsonDocument.Parse(scope.Body);
            request = dialect.Parse(doc.RootElement) with { Tag = scope.Tag };
        }
        catch (JsonException e)
        {
            await RejectAsync(scope, $"The request body is not valid JSON: {e.Message}", null).ConfigureAwait(false);
            return;
        }
        catch (InvalidRequestException e)
        {
            await RejectAsync(scope, e.Message, e.Param).ConfigureAwait(false);
            return;
        }

        EmulatorLog.ChatRequest(state.Logger, scope.Route, request.Model, request.Stream);
        var scripted = state.Script.TryTake(
            request.Provider, request.Model, request.Tag, request.Messages.Count(m => m.Role == Conversation.ChatRole.Assistant));
        var turn = state.Model.Respond(request, scripted, scope.Cache);
        var now = state.Time.GetUtcNow();
        if (request.Stream)
        {
            await ResponseWriter.WriteStreamAsync(scope, dialect.StreamContentType, dialect.RenderStream(request, turn, now)).ConfigureAwait(false);
        }
        else
        {
            await ResponseWriter.WriteBodyAsync(scope, "application/json", dialect.RenderJson(request, turn, now)).ConfigureAwait(false);
        }
    }

    public static Task RejectAsync(RequestScope scope, string message, string? param)
    {
        EmulatorLog.Rejected(scope.State.Logger, scope.Route, 400, message);
        return ResponseWriter.WriteErrorAsync(scope.Context, scope.Errors, 400, message, param);
    }
}
