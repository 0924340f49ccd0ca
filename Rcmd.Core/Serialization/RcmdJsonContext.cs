using System.Text.Json;
using System.Text.Json.Serialization;
using Rcmd.Batches;
using Rcmd.Breakers;
using Rcmd.Events;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Storage;

namespace Rcmd.Serialization;

/// <summary>Source-generated JSON for everything Rcmd stores or sends: camelCase, nulls left out.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowTrailingCommas = true,
    ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(Job))]
[JsonSerializable(typeof(JobRequest))]
[JsonSerializable(typeof(JobPage))]
[JsonSerializable(typeof(JobCounts))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(ClassifyErrorRequest))]
[JsonSerializable(typeof(ClassifyErrorResponse))]
[JsonSerializable(typeof(RcmdEvent))]
[JsonSerializable(typeof(RemoteStatus))]
[JsonSerializable(typeof(List<Job>))]
[JsonSerializable(typeof(FailureStats))]
[JsonSerializable(typeof(BatchItem))]
[JsonSerializable(typeof(BatchItemRequest))]
[JsonSerializable(typeof(BatchItemResult))]
[JsonSerializable(typeof(BatchOptions))]
[JsonSerializable(typeof(BatchDirectory))]
[JsonSerializable(typeof(BatchReport))]
[JsonSerializable(typeof(BatchReportItem))]
public sealed partial class RcmdJsonContext : JsonSerializerContext;
