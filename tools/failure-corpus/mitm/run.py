#!/usr/bin/env python3
"""Run rclone 1.60.1 against one group of MITM fakes, one fault at a time; print raw JSON lines.

    python3 run.py GROUP [--port 183NN] [--only BACKEND] [--fault FAULT] > raw-GROUP.jsonl

A group is `backends/GROUP.py`. It defines, before anything runs:
    FAULTS   = {fault: code}              the code each fault means (labelling-brief.md), fixed before any rclone run
    REMOTES  = {name: {rclone config}}    written to a fresh rclone.conf for every run
    def scenarios() -> [(backend, remote, fault, command_name, argv)]  argv after "rclone", may use {src} (a local
                                          file of 64 KiB) and {tmp} (an empty local directory)
    def route(req, fault, state) -> answer   mitm.Response / Reset / Close / Hang / Partial / Raw; state is a dict
                                          that lives for one rclone run
    CERT_MODE = {fault: "self_signed" | "expired" | "wrong_host"}   optional: faults that are the TLS certificate
Each output line: {"group","backend","remote","fault","code","command","argv","rc","stderr","requests"}.
Nothing leaves 127.0.0.1: HTTPS_PROXY/HTTP_PROXY point at the fake itself and it never connects out."""
import argparse, importlib, json, os, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from mitm import Proxy  # noqa: E402

COMMON = ["--retries", "1", "--low-level-retries", "1", "--contimeout", "3s", "--timeout", "6s",
          "--use-json-log=false", "--stats", "0"]


def write_conf(path, remotes):
    with open(path, "w") as f:
        for name, section in remotes.items():
            f.write(f"[{name}]\n")
            for k, v in section.items():
                f.write(f"{k} = {v}\n")
            f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("group")
    ap.add_argument("--port", type=int, default=18300)
    ap.add_argument("--only")
    ap.add_argument("--fault")
    ap.add_argument("--workdir", default=None)
    args = ap.parse_args()
    module = importlib.import_module(f"backends.{args.group}")
    work = args.workdir or tempfile.mkdtemp(prefix=f"mitm-{args.group}-")
    os.makedirs(work, exist_ok=True)
    state = {}
    current = {"fault": None}
    proxy = Proxy(args.port, work, lambda req: module.route(req, current["fault"], state)).start()
    src = os.path.join(work, "src.bin")
    with open(src, "wb") as f:
        f.write(os.urandom(64 * 1024))
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY") and not k.startswith("RCLONE_")}
    env.update(HTTPS_PROXY=proxy.url, HTTP_PROXY=proxy.url, https_proxy=proxy.url, http_proxy=proxy.url,
               HOME=work, RCLONE_CONFIG=os.path.join(work, "rclone.conf"))
    cert_modes = getattr(module, "CERT_MODE", {})
    try:
        for backend, remote, fault, name, argv in module.scenarios():
            if (args.only and backend != args.only) or (args.fault and fault != args.fault):
                continue
            if fault not in module.FAULTS:
                raise SystemExit(f"{args.group}: fault {fault} has no code in FAULTS")
            tmp = tempfile.mkdtemp(dir=work)
            write_conf(env["RCLONE_CONFIG"], module.REMOTES)
            state.clear()
            current["fault"] = fault
            proxy.cert_mode = cert_modes.get(fault, "ok")
            proxy.requests.clear()
            full = [a.replace("{src}", src).replace("{tmp}", tmp) for a in argv]
            try:
                # rclone may echo a garbled body: decode what it printed, replacing bytes that are not UTF-8.
                p = subprocess.run(["timeout", "60", "rclone", *full, "--ca-cert", proxy.certs.ca, *COMMON],
                                   capture_output=True, env=env, timeout=70, cwd=work)
                rc, err = p.returncode, p.stderr.decode(errors="replace")
            except subprocess.TimeoutExpired as e:
                rc, err = -1, (e.stderr or b"").decode(errors="replace")
            shutil.rmtree(tmp, ignore_errors=True)
            print(json.dumps({"group": args.group, "backend": backend, "remote": remote, "fault": fault,
                              "code": module.FAULTS[fault], "command": name, "argv": full, "rc": rc, "stderr": err,
                              "requests": [repr(r) for r in proxy.requests][:40]}), flush=True)
    finally:
        proxy.stop()


if __name__ == "__main__":
    main()
