using System.Collections.Concurrent;

namespace Rcmd.Worker.Services;

/// <summary>The jobs this Worker is running or watching now, so its lease reaper never takes over its own work.</summary>
public sealed class ActiveJobs
{
    private readonly ConcurrentDictionary<string, byte> _ids = new(StringComparer.Ordinal);

    public int Count => _ids.Count;

    public bool TryAdd(string id) => _ids.TryAdd(id, 0);

    public bool Contains(string id) => _ids.ContainsKey(id);

    public void Remove(string id) => _ids.TryRemove(id, out _);
}
