using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Components;

namespace Rcmd.Web.Components;

/// <summary>
/// Marks a page that is prerendered when a browser loads it (App.razor): the request renders it with its first data, so
/// rows are on screen before the circuit has started, and the page hands that data to its interactive render through
/// <see cref="PersistentComponentState"/> (<see cref="Prerender"/>) so nothing disappears while the circuit takes over.
/// A page that carries it reads its data in the prerender, subscribes to live updates only once interactive
/// (<see cref="ComponentBase.RendererInfo"/>) and reads again after subscribing, so no update between the two is lost.
/// Pages without it render only in the circuit ("Connecting to Rcmd…" until then).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PrerenderAttribute : Attribute
{
    /// <summary>Whether <paramref name="page"/> (a routed component type) is prerendered.</summary>
    public static bool IsOn(Type? page) => page?.IsDefined(typeof(PrerenderAttribute), inherit: false) == true;
}

/// <summary>
/// Data read during the prerender, kept in the page (<see cref="PersistentComponentState"/>, encrypted by data protection
/// in Blazor Server) and taken once by the interactive render — serialized with the same source-generated JSON contexts
/// as the Api client (the state holds that JSON as a string).
/// </summary>
public static class Prerender
{
    /// <summary>Puts what <paramref name="value"/> returns at the end of the prerender under <paramref name="key"/> (nothing when null).</summary>
    public static PersistingComponentStateSubscription Keep<T>(this PersistentComponentState state, string key, Func<T?> value, JsonTypeInfo<T> type)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(value);
        return state.RegisterOnPersisting(() =>
        {
            if (value() is { } kept)
            {
                state.PersistAsJson(key, JsonSerializer.Serialize(kept, type));
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>Takes what the prerender kept under <paramref name="key"/> (once: a second take finds nothing).</summary>
    public static bool TryTake<T>(this PersistentComponentState state, string key, JsonTypeInfo<T> type, [NotNullWhen(true)] out T? value)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(state);
        value = state.TryTakeFromJson<string>(key, out var json) && json is { Length: > 0 } ? JsonSerializer.Deserialize(json, type) : null;
        return value is not null;
    }
}
