using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Models;
using CompanyOs.Server.Keys;
using Microsoft.Extensions.AI;

namespace CompanyOs.Server.Gateway;

/// <summary>What every wire's chat endpoint does before calling the gateway, in one place.</summary>
internal static class CallAdmission
{
    /// <summary>
    /// The caller's key must allow <paramref name="model"/> (403 otherwise); the call is attributed to the key's org (never to
    /// a header or body field); the provider it routes to is noted for the rate-limit headers.
    /// </summary>
    public static void Admit(HttpContext http, string model, ChatOptions options, AppServices services)
    {
        var caller = Caller.Of(http);
        caller.RequireModel(model, services.Catalog);
        var context = caller.CallContext();
        options.WithCallContext(context);
        RoutedProvider.Expect(http, model, context, services.GatewayServices);
    }
}
