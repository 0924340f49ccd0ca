#!/usr/bin/env python3
"""raw-GROUP.jsonl (run.py's output) -> rows JSON on stdout.

    python3 build_rows.py GROUP raw-GROUP.jsonl > rows-GROUP.json

One row per error line rclone printed (ERROR/CRITICAL lines, NOTICE lines that report a failure, the final
"Failed to …" line); a line's continuation lines (a multi-line googleapi error) belong to it. The date, time and
level are stripped; rclone's wrappers are kept. The label is the fault's code from FAULTS, fixed before rclone ran,
unless the group's `override(message, fault, code)` says the printed text no longer carries the fault: then it returns
(code the text shows, note) and the note is kept as `labelNote`. Near-duplicates are thinned: per backend, innermost
cause (wrappers peeled, numbers and paths normalised) and code, one row."""
import importlib, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

STAMP = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d (?:(?P<level>DEBUG|INFO|NOTICE|ERROR|CRITICAL|EMERGENCY|ALERT|WARNING) ?: )?")
DROP = [r"^Config file .* not found", r"Can't redirect stderr", r"^There was nothing to transfer",
        r"corrupted on transfer: sizes differ", r"^Errors:\s+\d+"]
FAILURE_WORDS = re.compile(r"(?i)error|fail|denied|refused|timeout|not found|couldn't|can't|unable|invalid|forbidden")
WRAPPERS = [r'^Failed to create file system for (destination )?"[^"]*": ', r'^Failed to \w+( with \d+ errors: last error was)?: ',
            r'^Attempt \d+/\d+ failed with \d+ errors and: ', r'^[^ ]*: Failed to copy: ', r"^[^ ]*: Couldn't delete: ",
            r'^[^ ]*: error listing: ', r'^error listing: ', r'^error in ListJSON: ', r'^about call failed: ',
            r'^[^ ]*: error reading source root directory: ', r'^[^ ]*: Failed to \w+: ', r"^couldn't \w+[^:]*: "]


def lines(stderr):
    """(level, message) per log entry; continuation lines joined with a newline."""
    out = []
    for raw in stderr.splitlines():
        m = STAMP.match(raw)
        if m:
            out.append([m.group("level") or "FATAL", raw[m.end():]])
        elif out and raw.strip():
            out[-1][1] += "\n" + raw.rstrip()
    return [(level, msg.strip()) for level, msg in out]


def peel(msg):
    prev = None
    while prev != msg:
        prev = msg
        for w in WRAPPERS:
            msg = re.sub(w, "", msg)
    return msg


# Dropbox's error summaries ("path/not_found/..", "user_suspended/...") look like paths but are the error itself.
DROPBOX_TAGS = re.compile(r"(?<![\w/.:-])[a-z_]+(?:/[a-z_]+)*/\.{1,3}")


def norm(msg):
    m = re.sub(r'(Get|Post|Put|Delete|Head|Patch|Propfind|Mkcol|Move|Copy) "[^"]*"', r'\1 "URL"', msg, flags=re.I)
    m = re.sub(r'"[^"]*:[^"]*"', '"REMOTE"', m)
    m = re.sub(r"Date:\[[^\]]*\]", "Date:[D]", m)
    tags = DROPBOX_TAGS.findall(m)
    m = DROPBOX_TAGS.sub("\x00", m)
    m = re.sub(r"[A-Za-z0-9_.-]*/[A-Za-z0-9_./-]*", "PATH", m)
    for tag in tags:
        m = m.replace("\x00", tag, 1)
    m = re.sub(r"[0-9a-f]{8,}", "H", m)
    return re.sub(r"\d+", "N", m)


def main():
    group, raw_path = sys.argv[1], sys.argv[2]
    module = importlib.import_module(f"backends.{group}")
    override = getattr(module, "override", lambda msg, fault, code: (code, None))
    rows, per_core, seen = [], {}, set()
    for ln in open(raw_path):
        rec = json.loads(ln)
        for level, msg in lines(rec["stderr"]):
            if level in ("DEBUG", "INFO") or any(re.search(d, msg) for d in DROP):
                continue
            if level == "NOTICE" and not FAILURE_WORDS.search(msg):
                continue
            code, note = override(msg, rec["fault"], module.FAULTS[rec["fault"]])
            if code is None:
                continue
            full = norm(msg)
            core = (rec["backend"], norm(peel(msg)), code)
            if full in seen or core in per_core:
                continue
            seen.add(full)
            per_core[core] = True
            row = {"message": msg, "expected": code, "source": f"reproduced: rclone 1.60.1 vs loopback MITM fake of "
                   f"{rec['backend']} ({rec['fault']}, {rec['command']})", "origin": "reproduced",
                   "backend": rec["backend"], "split": "reproduced"}  # make_corpus.py merge names the split
            if note:
                row["labelNote"] = note
            rows.append(row)
    json.dump(rows, sys.stdout, indent=1)
    from collections import Counter
    print(len(rows), "rows", dict(Counter(r["expected"] for r in rows)), "notes",
          sum(1 for r in rows if "labelNote" in r), file=sys.stderr)


if __name__ == "__main__":
    main()
