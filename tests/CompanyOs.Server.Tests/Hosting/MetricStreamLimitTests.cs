using System.Diagnostics.Metrics;
using CompanyOs.Llm.Gateway.Stats;
using CompanyOs.Server.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>
/// The server's metric streams (<see cref="ServerMetrics.AddServerMeters"/>): Kestrel's and <c>http.server.active_requests</c>
/// keep at most <see cref="ServerMetrics.BoundedStreamLimit"/> attribute sets (OpenTelemetry pre-sizes each stream to its
/// limit; issue 17), and what is past the limit is still counted in the overflow point; the gateway's streams keep the
/// default limit, and a capped histogram keeps its instrument's bucket boundaries. The instruments here are the test's own,
/// on the real meter names, with unique instrument names (other tests' servers in this process report on the same meters).
/// </summary>
public sealed class MetricStreamLimitTests
{
    private const int AttributeSets = 150;

    [Fact]
    public void Kestrel_streams_are_capped_and_keep_every_measurement_in_the_overflow_point()
    {
        Assert.True(ServerMetrics.BoundedStreamLimit < AttributeSets);
        var name = $"test.kestrel.connections.{Guid.NewGuid():N}";
        using var kestrel = new Meter(ServerMetrics.KestrelMeter);
        var counter = kestrel.CreateCounter<long>(name);

        var points = Export(counter, name);

        // The limit's attribute sets plus the overflow point.
        Assert.True(points.Count <= ServerMetrics.BoundedStreamLimit + 1, $"{points.Count} points, past the limit of {ServerMetrics.BoundedStreamLimit}");
        Assert.Contains(points, p => p.Tags.Contains(new KeyValuePair<string, object?>("otel.metric.overflow", true)));
        Assert.Equal(AttributeSets, points.Sum(p => p.Sum));
    }

    [Fact]
    public void Gateway_streams_keep_the_default_limit()
    {
        var name = $"test.gateway.calls.{Guid.NewGuid():N}";
        using var gateway = new Meter(GatewayStats.MeterName);
        var counter = gateway.CreateCounter<long>(name);

        var points = Export(counter, name);

        Assert.Equal(AttributeSets, points.Count);
        Assert.DoesNotContain(points, p => p.Tags.Any(t => t.Key == "otel.metric.overflow"));
    }

    [Fact]
    public void A_capped_histogram_keeps_its_advised_buckets()
    {
        var name = $"test.kestrel.duration.{Guid.NewGuid():N}";
        using var kestrel = new Meter(ServerMetrics.KestrelMeter);
        var histogram = kestrel.CreateHistogram(name, unit: "s", description: null, tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 5] });
        var exported = new List<Metric>();
        using (var provider = Sdk.CreateMeterProviderBuilder().AddServerMeters().AddInMemoryExporter(exported).Build())
        {
            histogram.Record(0.7);
            provider.ForceFlush();
            var metric = Assert.Single(exported, m => m.Name == name);
            var bounds = new List<double>();
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                foreach (var bucket in point.GetHistogramBuckets())
                {
                    bounds.Add(bucket.ExplicitBound);
                }
            }

            Assert.Equal([0.5, 1, 5, double.PositiveInfinity], bounds);
        }
    }

    [Fact]
    public void Only_the_bounded_streams_get_a_view()
    {
        using var kestrel = new Meter(ServerMetrics.KestrelMeter);
        using var hosting = new Meter(ServerMetrics.HostingMeter);

        Assert.Equal(ServerMetrics.BoundedStreamLimit, ServerMetrics.StreamConfiguration(kestrel.CreateCounter<long>("kestrel.active_connections"))?.CardinalityLimit);
        Assert.Equal(ServerMetrics.BoundedStreamLimit, ServerMetrics.StreamConfiguration(hosting.CreateUpDownCounter<long>("http.server.active_requests"))?.CardinalityLimit);
        Assert.Null(ServerMetrics.StreamConfiguration(hosting.CreateHistogram<double>("http.server.request.duration")));
    }

    private static List<(long Sum, List<KeyValuePair<string, object?>> Tags)> Export(Counter<long> counter, string name)
    {
        var exported = new List<Metric>();
        using var provider = Sdk.CreateMeterProviderBuilder().AddServerMeters().AddInMemoryExporter(exported).Build();
        for (var i = 0; i < AttributeSets; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("set", i));
        }

        provider.ForceFlush();
        var metric = Assert.Single(exported, m => m.Name == name);
        var points = new List<(long, List<KeyValuePair<string, object?>>)>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var tags = new List<KeyValuePair<string, object?>>();
            foreach (var tag in point.Tags)
            {
                tags.Add(tag);
            }

            points.Add((point.GetSumLong(), tags));
        }

        return points;
    }
}
