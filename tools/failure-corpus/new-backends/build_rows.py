#!/usr/bin/env python3
"""raw.jsonl -> rows.json.
Label = the fault's code fixed in run.FAULT_CODE before rclone ran, unless the printed text clearly no longer
carries the fault (then the code the text shows + labelNote). Near-duplicates are thinned: per backend and
innermost cause (after peeling rclone's wrappers and normalising numbers/paths) at most MAX_PER_CORE rows."""
import json, os, re, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import FAULT_CODE
HERE = os.path.dirname(os.path.abspath(__file__))
MAX_PER_CORE = 1

DROP = [r"doesn't support about", r"^Config file .* not found", r"Can't redirect stderr",
        r"corrupted on transfer: sizes differ"]

WRAPPERS = [r'^Failed to create file system for (destination )?"[^"]*": ', r'^Failed to \w+( with \d+ errors: last error was)?: ',
            r'^Attempt \d+/\d+ failed with \d+ errors and: ', r'^[^ ]*: Failed to copy: ', r"^[^ ]*: Couldn't delete: ",
            r'^: error listing: ', r'^error listing: ', r'^error in ListJSON: ', r'^about call failed: ',
            r'^[^ ]*: error reading source root directory: ', r'^[^ ]*: Failed to \w+: ']


def peel(msg):
    prev = None
    while prev != msg:
        prev = msg
        for w in WRAPPERS:
            msg = re.sub(w, "", msg)
    return msg


def norm(msg):
    m = re.sub(r'"[^"]*(seaf|kf|sia|pc|hd|ns)[a-z0-9_]*:[^"]*"', '"REMOTE"', msg)
    m = re.sub(r"(?<=for )destination ", "", m)
    m = re.sub(r'(Get|Post|Put|Delete|Head|Patch) "[^"]*"', r'\1 "URL"', m)
    m = re.sub(r"Date:\[[^\]]*\]", "Date:[D]", m)
    m = re.sub(r"[A-Za-z0-9_.-]*/[A-Za-z0-9_./-]*", "PATH", m)
    m = re.sub(r"\d+", "N", m)
    return m


NOT_FOUND_TXT = re.compile(r"directory not found|object not found|is a directory or doesn't exist|"
                           r"file not found '|failed to find mount", re.I)


def override(msg, fault, code):
    """Return (code, note) when the text no longer carries the injected fault."""
    inner = peel(msg)
    if code != "not_found" and NOT_FOUND_TXT.search(inner) and not re.search(r"\b(40[0-9]|4[1-9]\d|5\d\d)\b", inner):
        return "not_found", (f"injected {fault} ({code}) but rclone mapped the reply to a not-found error; "
                             f"the text carries no trace of the fault, so labelled by the text")
    if code == "invalid_credentials" and inner.strip() == "permission denied":
        return "access_denied", (f"injected {fault} (401); seafile backend turns 401 into fs.ErrorPermissionDenied, "
                                 f"text only says permission denied, so labelled access_denied")
    if "bucket or container name is needed in remote" in inner:
        return "validation_error", (f"injected {fault} ({code}) but `about` on the bare SMB remote fails before any "
                                    f"connection because no share is given; the text shows a parameter problem only")
    if fault == "bad_json" and inner.strip().endswith("unexpected EOF") and "syntax error" not in inner:
        return "network_error", ("injected a truncated (malformed) JSON body with correct Content-Length; the decoder "
                                 "reports it as unexpected EOF, which reads as a broken stream, so labelled network_error")
    return code, None


def main():
    rows, per_core, seen = [], {}, set()
    for ln in open(f"{HERE}/raw.jsonl"):
        rec = json.loads(ln)
        for l in rec["lines"]:
            msg = l["message"].strip()
            if any(re.search(d, msg) for d in DROP):
                continue
            if l["level"] == "NOTICE" and not re.search(r"(?i)error|fail|denied|refused|timeout|not found", msg):
                continue
            code = FAULT_CODE[rec["fault"]]
            code2, note = override(msg, rec["fault"], code)
            full = norm(msg)
            if full in seen:
                continue
            core = (rec["backend"], norm(peel(msg)), code2)
            if per_core.get(core, 0) >= MAX_PER_CORE:
                continue
            per_core[core] = per_core.get(core, 0) + 1
            seen.add(full)
            row = {"message": msg, "expected": code2, "fault": rec["fault"], "command": rec["command"],
                   "backend": rec["backend"],
                   "source": f"reproduced: rclone 1.60.1 vs loopback fake of {rec['backend']} ({rec['fault']})"}
            if note:
                row["labelNote"] = note
            rows.append(row)
    json.dump(rows, open(f"{HERE}/rows.json", "w"), indent=1)
    from collections import Counter
    print(len(rows), "rows", dict(Counter(r["expected"] for r in rows)), dict(Counter(r["backend"] for r in rows)),
          "notes", sum(1 for r in rows if "labelNote" in r))


if __name__ == "__main__":
    main()
