using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// ASP.NET Core's per-request <see cref="Activity"/> and logging scope only when something uses them.
/// <para>
/// ASP.NET Core starts an <see cref="Activity"/> (and, in .NET 10, a logging scope) for every request when any of three is
/// true: its <c>Microsoft.AspNetCore</c> activity source has a listener (tracing is configured, <see cref="ServerTelemetry"/>),
/// its diagnostic listener is subscribed, or its <c>Microsoft.AspNetCore.Hosting.Diagnostics</c> logger is enabled at any
/// level. That logger is enabled at <c>Warning</c>, yet after start-up it only ever writes <c>Information</c> lines (request
/// starting/finished): its errors (a request pipeline that fails to build, a hosting start-up assembly that fails) are all
/// written while the host starts. So once the server has started, that one logger reports itself enabled only when its
/// request lines are (<c>Information</c> or lower); before, it behaves as configured. An unhandled exception in a request
/// is logged by Kestrel (<c>Microsoft.AspNetCore.Server.Kestrel</c>), not by this logger, and is unaffected.
/// </para>
/// <para>
/// Without a request <see cref="Activity"/> the upstream <see cref="HttpClient"/> starts none either and injects no
/// <c>traceparent</c>; before, an untraced request sent the upstream a random trace id nobody recorded. A request that
/// carries trace context (the propagator's fields: <c>traceparent</c>, <c>tracestate</c>, <c>baggage</c>) still gets the
/// same <see cref="Activity"/> ASP.NET Core would have started (<see cref="UseTraceContextContinuation"/>), so the caller's
/// trace still reaches the upstream and a run started by it still records its <c>traceparent</c>.
/// </para>
/// </summary>
internal static class RequestDiagnostics
{
    /// <summary>The category of ASP.NET Core's request logger, whose being enabled makes it start a request activity.</summary>
    public const string HostingCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>The name ASP.NET Core gives its request activity.</summary>
    public const string ActivityName = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    /// <summary>Replaces the host's <see cref="ILoggerFactory"/> with one whose hosting request logger is gated (see the type).</summary>
    public static IServiceCollection AddRequestDiagnostics(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new HostingGatedLoggerFactory(new LoggerFactory(
            sp.GetServices<ILoggerProvider>(),
            sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            sp.GetService<IOptions<LoggerFactoryOptions>>(),
            sp.GetService<IExternalScopeProvider>()))));
        return services;
    }

    /// <summary>Call once the host has started: from now on the hosting request logger is enabled only with its request lines.</summary>
    public static void HostStarted(IServiceProvider services)
    {
        if (services.GetRequiredService<ILoggerFactory>() is HostingGatedLoggerFactory factory)
        {
            factory.HostStarted();
        }
    }

    /// <summary>
    /// Continues the caller's trace for a request that carries trace context when ASP.NET Core started no activity for it:
    /// the same <see cref="Activity"/> ASP.NET Core starts when its logger is on (parent, trace state and baggage from the
    /// headers through the host's <see cref="DistributedContextPropagator"/>), so that the upstream call's own activity and
    /// <c>traceparent</c> follow as before.
    /// </summary>
    public static IApplicationBuilder UseTraceContextContinuation(this IApplicationBuilder app)
    {
        var propagator = app.ApplicationServices.GetService<DistributedContextPropagator>() ?? DistributedContextPropagator.Current;
        var fields = propagator.Fields.ToArray();
        return app.Use((context, next) =>
            Activity.Current is null && CarriesAny(context.Request.Headers, fields) ? ContinueAsync(context, next, propagator) : next(context));
    }

    private static bool CarriesAny(IHeaderDictionary headers, string[] fields)
    {
        foreach (var field in fields)
        {
            if (headers.ContainsKey(field))
            {
                return true;
            }
        }

        return false;
    }

    private static async Task ContinueAsync(HttpContext context, RequestDelegate next, DistributedContextPropagator propagator)
    {
        var headers = context.Request.Headers;
        propagator.ExtractTraceIdAndState(headers, GetHeader, out var parent, out var state);
        using var activity = new Activity(ActivityName);
        if (!string.IsNullOrEmpty(parent))
        {
            activity.SetParentId(parent);
            if (!string.IsNullOrEmpty(state))
            {
                activity.TraceStateString = state;
            }
        }

        // The propagator returns baggage reversed and AddBaggage prepends: the caller's order is kept (as ASP.NET Core does).
        if (propagator.ExtractBaggage(headers, GetHeader) is { } baggage)
        {
            foreach (var (key, value) in baggage)
            {
                activity.AddBaggage(key, value);
            }
        }

        activity.Start();
        await next(context);
    }

    private static void GetHeader(object? carrier, string name, out string? value, out IEnumerable<string>? values)
    {
        values = null;
        value = ((IHeaderDictionary)carrier!)[name];
    }

    /// <summary>The host's logger factory, with the hosting request logger gated (see <see cref="RequestDiagnostics"/>).</summary>
    internal sealed class HostingGatedLoggerFactory(LoggerFactory inner) : ILoggerFactory
    {
        private volatile bool _started;

        public void HostStarted() => _started = true;

        public ILogger CreateLogger(string categoryName)
        {
            var logger = inner.CreateLogger(categoryName);
            return string.Equals(categoryName, HostingCategory, StringComparison.Ordinal) ? new GatedLogger(logger, this) : logger;
        }

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose() => inner.Dispose();

        private sealed class GatedLogger(ILogger inner, HostingGatedLoggerFactory factory) : ILogger
        {
            public bool IsEnabled(LogLevel logLevel) =>
                inner.IsEnabled(logLevel) && (!factory._started || inner.IsEnabled(LogLevel.Information));

            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => inner.BeginScope(state);

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
