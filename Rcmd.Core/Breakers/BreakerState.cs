using System.Text.Json.Serialization;
using Rcmd.Serialization;

namespace Rcmd.Breakers;

/// <summary>
/// Where a remote's circuit breaker is. Transitions live in <see cref="BreakerStateMachine"/>; JSON and Redis carry
/// the snake_case names (<c>closed</c>, <c>open</c>, <c>half_open</c>, <c>isolated</c>).
/// </summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<BreakerState>))]
public enum BreakerState
{
    /// <summary>The remote is healthy: every job and read goes through; consecutive remote failures are counted.</summary>
    Closed,

    /// <summary>The remote failed too often: jobs wait and reads use their fallback until the break duration is over.</summary>
    Open,

    /// <summary>The break is over: a limited number of probes go through; enough successes close it, one failure opens it again.</summary>
    HalfOpen,

    /// <summary>Held open by an operator (<c>POST /api/remotes/{name}/breaker/isolate</c>) until someone resets it.</summary>
    Isolated,
}

public static class BreakerStates
{
    public static IReadOnlyList<BreakerState> All { get; } = Enum.GetValues<BreakerState>();

    public static string ToWire(this BreakerState state) => state switch
    {
        BreakerState.Closed => "closed",
        BreakerState.Open => "open",
        BreakerState.HalfOpen => "half_open",
        BreakerState.Isolated => "isolated",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static bool TryParse(string? value, out BreakerState state)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToWire(), value, StringComparison.Ordinal))
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }

    /// <summary>Whether jobs and reads on the remote run normally (only <see cref="BreakerState.Closed"/>).</summary>
    public static bool IsOnline(this BreakerState state) => state == BreakerState.Closed;
}
