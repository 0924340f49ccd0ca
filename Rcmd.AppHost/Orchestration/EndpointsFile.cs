using System.Text.Json;

namespace Rcmd.AppHost.Orchestration;

/// <summary>
/// <c>{data}/endpoints.json</c>, written once every resource is ready and deleted at shutdown: each instance's address
/// (Redis as its connection string) and, under <c>pids</c>, its process id. Tests and scripts read URLs from it
/// instead of parsing the table. Addresses only — no credentials.
/// </summary>
internal static class EndpointsFile
{
    public const string FileName = "endpoints.json";

    public static void Write(string dataDirectory, IReadOnlyList<ResourceRow> rows, IReadOnlyDictionary<string, string> addresses)
    {
        var path = Path.Combine(dataDirectory, FileName);
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            foreach (var (name, address) in addresses)
            {
                json.WriteString(name, address);
            }

            json.WriteStartObject("pids");
            foreach (var row in rows.Where(r => r.ProcessId is not null))
            {
                json.WriteNumber(row.Name, row.ProcessId!.Value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        File.Move(temporary, path, overwrite: true);
    }

    public static void Delete(string dataDirectory) => File.Delete(Path.Combine(dataDirectory, FileName));
}
