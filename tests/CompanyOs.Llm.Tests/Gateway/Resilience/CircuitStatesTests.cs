using CompanyOs.Llm.Gateway.Resilience;
using CompanyOs.Llm.Tests.Gateway.Fakes;

namespace CompanyOs.Llm.Tests.Gateway.Resilience;

/// <summary>The circuit states behind /readyz: per provider, the most severe of its breakers, half-open once the break is over.</summary>
public sealed class CircuitStatesTests
{
    [Fact]
    public void A_provider_reports_its_most_severe_breaker_and_an_open_one_turns_half_open_after_the_break()
    {
        var time = FakeClock.Create();
        var sut = new CircuitStates(time);
        var first = sut.Register("openai");
        var second = sut.Register("openai");

        var unknown = sut.StateOf("anthropic");
        var closed = sut.StateOf("openai");
        first.Opened(TimeSpan.FromSeconds(30));
        var open = sut.StateOf("openai");
        time.Advance(TimeSpan.FromSeconds(30));
        var halfOpen = sut.StateOf("openai");
        first.Closed();
        second.HalfOpened();
        var probing = sut.StateOf("openai");
        second.Closed();

        Assert.Null(unknown);
        Assert.Equal(ProviderCircuitState.Closed, closed);
        Assert.Equal(ProviderCircuitState.Open, open);
        Assert.Equal(ProviderCircuitState.HalfOpen, halfOpen);
        Assert.Equal(ProviderCircuitState.HalfOpen, probing);
        Assert.Equal(ProviderCircuitState.Closed, sut.StateOf("openai"));
    }
}
