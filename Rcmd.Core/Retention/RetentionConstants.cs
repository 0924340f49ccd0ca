namespace Rcmd.Retention;

/// <summary>The defaults of <see cref="RetentionOptions"/>.</summary>
internal static class RetentionConstants
{
    public const string Section = "Rcmd:Retention";

    /// <summary>Succeeded jobs are kept 14 days after they finished.</summary>
    public static readonly TimeSpan DefaultSucceeded = TimeSpan.FromDays(14);

    /// <summary>Failed, partially failed and canceled jobs are kept 90 days after they finished.</summary>
    public static readonly TimeSpan DefaultFailed = TimeSpan.FromDays(90);

    /// <summary>A batch's item results are kept 14 days after the batch ended (its summary stays with the job).</summary>
    public static readonly TimeSpan DefaultBatchItems = TimeSpan.FromDays(14);

    /// <summary>At most a million finished jobs in Redis (about 1.2 GiB at the measured 1.2 KiB per job), whatever their age.</summary>
    public const long DefaultMaxFinishedJobs = 1_000_000;

    /// <summary>
    /// The directory (relative to the working directory) the archive goes to when none is configured and there is no data
    /// directory; with one, <see cref="DataDirectoryArchive"/> under it.
    /// </summary>
    public const string DefaultArchiveTo = "rcmd-archive";

    /// <summary>The archive's directory under Rcmd's data directory (<c>Rcmd:DataDir</c>) when none is configured.</summary>
    public const string DataDirectoryArchive = "archive";

    /// <summary>A sweep every 15 minutes.</summary>
    public static readonly TimeSpan DefaultSweepInterval = TimeSpan.FromMinutes(15);

    /// <summary>Jobs archived and deleted per step: one archive write and one Redis script per step.</summary>
    public const int DefaultStepSize = 500;

    /// <summary>Archived jobs' ids are remembered (for the 410 and for links to them) for a year.</summary>
    public static readonly TimeSpan DefaultArchivedLinks = TimeSpan.FromDays(365);

    /// <summary>
    /// At most this many archived ids are remembered, whatever their age: about 115 bytes each in Redis (≈ 55 MiB at
    /// the default), so a high job rate cannot grow them past the memory Redis is given.
    /// </summary>
    public const long DefaultMaxArchivedLinks = 500_000;

    /// <summary>The sweep lease: renewed at each step, taken over by another replica if its holder dies.</summary>
    public static readonly TimeSpan DefaultLeaseDuration = TimeSpan.FromMinutes(2);

    /// <summary>The archive files' name: <c>rcmd-jobs-{yyyy-MM-dd}.jsonl.gz</c>, one per UTC day of archiving.</summary>
    public const string FilePrefix = "rcmd-jobs-";
    public const string FileSuffix = ".jsonl.gz";
}
