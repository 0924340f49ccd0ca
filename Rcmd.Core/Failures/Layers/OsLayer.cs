namespace Rcmd.Failures.Layers;

/// <summary>
/// Layer 3: the operating system's errors (ENOENT, EACCES/EPERM, EROFS, ENOTDIR, EISDIR, ENOTEMPTY, EEXIST, ENOSPC,
/// EDQUOT, ETXTBSY) as Go, .NET, libc and shells print them — and a missing rclone program however its launcher
/// reports it (a shell, Node's <c>spawn … ENOENT</c>, Python's <c>FileNotFoundError</c>, Go's <c>exec:</c>, .NET's
/// Process.Start), which is <c>transfer_engine_missing</c>, checked first.
/// </summary>
public static class OsLayer
{
    public static Evidence? Read(string text) => EvidenceRule.First(Rules, text, "os");

    private const string RcloneMissingHint = "rclone could not be started: install it, or point RCLONE_PATH (or PATH) at the rclone binary.";
    private const string DiskHint = "The disk (or quota) of {remote} is full: free space or raise the quota, then run the job again.";

    public static IReadOnlyList<EvidenceRule> Rules { get; } =
    [
        // Launchers that could not start rclone
        EvidenceRule.Of(ErrorCodes.TransferEngineMissing, @"exec: ""?(?:[^""\n]*[/\\])?rclone(?:\.exe)?""?: (?:executable file not found|no such file|permission denied|cannot run executable found relative to current directory)|fork/exec (?:\S*/)?rclone(?:\.exe)?: (?:no such file|permission denied|exec format error)", "Go os/exec: rclone not found", RcloneMissingHint),
        EvidenceRule.Of(ErrorCodes.TransferEngineMissing, @"spawn \S*rclone\S* (?:ENOENT|EACCES)|\bENOENT\b[^\n]*spawn \S*rclone", "Node child_process: spawn rclone ENOENT", RcloneMissingHint),
        EvidenceRule.Of(ErrorCodes.TransferEngineMissing, @"(?:FileNotFoundError|PermissionError|OSError): \[Errno \d+\] [^\n]*'(?:[^'\n]*[/\\])?rclone(?:\.exe)?'", "Python subprocess: rclone not found or not executable", RcloneMissingHint),
        EvidenceRule.Of(ErrorCodes.TransferEngineMissing, @"\benv: ['‘""]?[^'’""\s]*rclone['’""]?: No such file|[/\s]rclone(?:\.exe)?['’""]?: (?:Permission denied|Exec format error|cannot execute binary file)", "shell/env: rclone not found or not executable", RcloneMissingHint),
        EvidenceRule.Of(ErrorCodes.TransferEngineMissing, @"start process '[^'\n]*rclone[^'\n]*'[^\n]*(?:no such file|cannot find the file|permission denied|exec format error)", ".NET Process.Start: rclone not found", RcloneMissingHint),
        EvidenceRule.Of(ErrorCodes.TransferEngineMissing, @"\brclone: (?:command |inaccessible or )?not found|\brclone (?:global |local )?installation not found|\brclone: No such file or directory|'rclone' is not recognized as an internal or external command|The term 'rclone' is not recognized|\brclone(?:\.exe)?: cannot execute|\brclone (?:binary |executable )?(?:is )?(?:not installed|missing|not found)|No such file or directory[^\n]*\brclone\b['""]?$|Could not find file '[^'\n]*rclone", "shell: rclone not found", RcloneMissingHint),
        // Another program rclone or its launcher needs (fusermount for mount, …): an environment fault
        EvidenceRule.Of(ErrorCodes.Unknown, @"exec: ""?[^""\n]+""?: executable file not found", "a program other than rclone is missing",
            "A program rclone needs is not installed (e.g. fusermount3 from the fuse3 package for rclone mount): install it."),
        // FUSE missing where rclone mount runs (no /dev/fuse, no fusermount): an environment fault, not a missing file
        EvidenceRule.Of(ErrorCodes.Unknown, @"/dev/fuse\b|fuse device not found|modprobe fuse|failed to exec mount program|fusermount3?: (?:not found|No such file)", "FUSE not available",
            "rclone mount needs FUSE: install fuse3 (fusermount3) and give the container /dev/fuse (--device /dev/fuse --cap-add SYS_ADMIN)."),
        // A port another process holds
        EvidenceRule.Of(ErrorCodes.Conflict, @"address already in use|\bEADDRINUSE\b|Only one usage of each socket address", "EADDRINUSE (port in use)",
            "Another process holds this address: stop it or choose another port."),
        // A FUSE mount whose rclone process is gone answers ENOTCONN on every access
        EvidenceRule.Of(ErrorCodes.ServerRestarted, @"transport endpoint is not connected|\bENOTCONN\b", "ENOTCONN (the mount's rclone process is gone)",
            "The rclone process serving this mount has stopped: unmount it (fusermount -uz <path>) and mount it again."),
        // A credentials file that is not there (a service account's key file, a token file): the credentials are missing
        EvidenceRule.Of(ErrorCodes.InvalidCredentials, @"(?:credentials?|token|service account)[^\n]{0,40}\bfile\b[^\n]*(?:no such file or directory|\bENOENT\b|cannot find the file)", "credentials file missing",
            "The credentials file configured for {remote} does not exist: check its path (service_account_file, key_file …)."),
        // Files and directories
        EvidenceRule.Of(ErrorCodes.AccessDenied, @"read-only file system|\bEROFS\b", "EROFS (read-only file system)"),
        EvidenceRule.Of(ErrorCodes.Unknown, @"no space left on device|\bENOSPC\b|disk quota exceeded|\bEDQUOT\b|There is not enough space on the disk", "ENOSPC (disk full)", DiskHint),
        EvidenceRule.Of(ErrorCodes.AccessDenied, @"permission denied|operation not permitted|\bEACCES\b|\bEPERM\b|Access to the path '[^'\n]*' is denied|Access is denied", "EACCES (permission denied)"),
        EvidenceRule.Of(ErrorCodes.NotFound, @"doesn't exist or is a directory", "ENOENT or EISDIR (rclone cannot tell)"),
        EvidenceRule.Of(ErrorCodes.Conflict, @"sharing violation|already mounted|--allow-non-empty|not a directory|\bENOTDIR\b|is a directory(?! or doesn't exist)|\bEISDIR\b|directory not empty|\bENOTEMPTY\b|\bfile exists\b|\bEEXIST\b|text file busy|\bETXTBSY\b|being used by another process|resource busy|\bEBUSY\b", "ENOTDIR/EISDIR/ENOTEMPTY/EEXIST"),
        EvidenceRule.Of(ErrorCodes.NotFound, @"is a directory or doesn't exist|no such file or directory|\bENOENT\b|cannot find the (?:file|path) specified|Could not find (?:file|a part of the path)", "ENOENT (no such file)"),
        EvidenceRule.Of(ErrorCodes.ValidationError, @"file name too long|\bENAMETOOLONG\b|\bEINVAL\b|file too large|\bEFBIG\b", "ENAMETOOLONG/EINVAL/EFBIG"),
    ];
}
