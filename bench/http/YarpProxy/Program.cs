// Bare reverse proxy for the HTTP benchmark: every request is forwarded unchanged to one upstream.
// Usage: CompanyOs.Benchmarks.YarpProxy --urls http://127.0.0.1:PORT --upstream http://127.0.0.1:UPSTREAM_PORT/
using Yarp.ReverseProxy.Configuration;

var builder = WebApplication.CreateBuilder(args);
// Logging off the hot path, as a tuned deployment would run it: the comparison is about forwarding cost.
builder.Logging.ClearProviders();
var upstream = builder.Configuration["upstream"]
    ?? throw new InvalidOperationException("--upstream http://127.0.0.1:PORT/ is required");

builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "{**catch-all}" } }],
    [new ClusterConfig
    {
        ClusterId = "upstream",
        Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal)
        {
            ["nginx"] = new DestinationConfig { Address = upstream },
        },
    }]);

var app = builder.Build();
app.MapReverseProxy();
await app.RunAsync().ConfigureAwait(false);
