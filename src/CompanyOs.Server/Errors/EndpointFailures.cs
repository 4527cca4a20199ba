using CompanyOs.Llm.Errors;
using CompanyOs.Server.Hosting;

namespace CompanyOs.Server.Errors;

/// <summary>Logs a failed gateway call once, at the endpoint, without provider messages or bodies.</summary>
internal static class EndpointFailures
{
    public static ApiError Log(Exception exception, ApiError error, string endpoint, ILogger logger)
    {
        if (exception is ProviderException provider)
        {
            ServerLog.UpstreamFailure(logger, endpoint, provider.Provider, provider.Kind.ToString(), error.StatusCode);
        }

        return error;
    }

    /// <summary>The error event for a stream that failed after it started.</summary>
    public static ApiError Stream(Exception exception, string endpoint, ILogger logger)
    {
        var error = GatewayErrors.From(exception) ?? new ApiError(ApiErrorKind.UpstreamFailed, "The stream failed inside the gateway.");
        ServerLog.StreamFailed(logger, endpoint, error.Message);
        return error;
    }
}
