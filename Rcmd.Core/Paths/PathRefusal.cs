namespace Rcmd.Paths;

/// <summary>Why a path was refused: a path that is wrong as written, or one the caller may not use.</summary>
public enum PathRefusalKind
{
    /// <summary>Wrong whatever the caller's rights (relative, <c>..</c>): a <c>validation_error</c>.</summary>
    Invalid,

    /// <summary>Rcmd's data directory, or outside the caller's allow-list: <c>access_denied</c>.</summary>
    Denied,
}

/// <summary>One refused path, with a sentence for the caller.</summary>
public sealed record PathRefusal(PathRefusalKind Kind, string Message);
