#!/usr/bin/env python3
"""From the groups' rows to the corpus file, with a second labeller in between.

    python3 make_corpus.py labels gapi msdbx misc     # rows-GROUP.json -> label-1..3.json (id + message only, shuffled)
    # three people label label-N.json from the text and labelling-brief.md alone -> second-N.json
    #   [{"id", "expected", "ambiguous", "reason"}]
    python3 make_corpus.py merge reproduced-2026-12e gapi msdbx misc > ../../../tests/Rcmd.Core.Tests/Failures/Corpus/reproduced-2026-12e.json
    python3 make_corpus.py join a.json b.json > …      # parts labelled in separate rounds, as one file

The first label is the injected fault's code (FAULTS, fixed before rclone ran, or the group's override with its
note); the second is kept beside it as `second`, so the corpus tests can score the rows both labellers call clear and
label alike."""
import json, random, sys

PARTS = 3
CODES = {"invalid_credentials", "access_denied", "signature_mismatch", "request_time_skewed", "endpoint_unreachable",
         "upstream_timeout", "network_error", "transfer_engine_missing", "transfer_engine_incompatible", "not_found",
         "conflict", "rate_limited", "canceled", "server_restarted", "validation_error", "unknown"}


def rows_of(groups):
    return [(f"{g}-{i}", row) for g in groups for i, row in enumerate(json.load(open(f"rows-{g}.json")))]


def labels(groups):
    items = [{"id": rid, "message": row["message"]} for rid, row in rows_of(groups)]
    random.Random(16).shuffle(items)
    for k in range(PARTS):
        with open(f"label-{k + 1}.json", "w") as f:
            json.dump(items[k::PARTS], f, indent=1, ensure_ascii=False)


def merge(args):
    split_name, groups = args[0], args[1:]
    second = {}
    for k in range(PARTS):
        for label in json.load(open(f"second-{k + 1}.json")):
            if label["expected"] not in CODES:
                raise SystemExit(f"{label['id']}: {label['expected']} is not a code of the brief")
            second[label["id"]] = label
    out = []
    for rid, row in rows_of(groups):
        if rid not in second:
            raise SystemExit(f"{rid} has no second label")
        s = second[rid]
        kept = {k: row[k] for k in ("message", "expected", "source", "origin", "backend") if k in row}
        kept["split"] = split_name
        if "labelNote" in row:
            kept["labelNote"] = row["labelNote"]
        kept["second"] = {"expected": s["expected"], "ambiguous": bool(s["ambiguous"]), "reason": s["reason"]}
        out.append(kept)
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)


def join(files):
    """Several merged parts (labelled in separate rounds) as one corpus file, in the order given."""
    json.dump([row for f in files for row in json.load(open(f))], sys.stdout, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    {"labels": labels, "merge": merge, "join": join}[sys.argv[1]](sys.argv[2:])
