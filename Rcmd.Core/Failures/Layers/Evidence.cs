namespace Rcmd.Failures.Layers;

/// <summary>
/// What decided a classification: the code, the layer that read it (<c>provider</c>, <c>network</c>, <c>os</c>,
/// <c>rclone</c>, <c>rule</c>, <c>status</c>, <c>exception</c>) and a short human reading of the evidence, e.g.
/// <c>HTTP 503 + SlowDown (s3)</c>; and a suggestion when the evidence calls for a better one than the code's default.
/// </summary>
public sealed record Evidence(string Code, string Layer, string Text, string? Hint = null);
