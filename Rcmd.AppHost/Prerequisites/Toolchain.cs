namespace Rcmd.AppHost.Prerequisites;

/// <summary>The programs the topology runs, found and checked by <see cref="PrerequisiteChecker"/>.</summary>
internal sealed record Toolchain(string RedisServer, string Rclone);
