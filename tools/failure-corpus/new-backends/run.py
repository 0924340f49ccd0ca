#!/usr/bin/env python3
"""Driver: for each backend and fault, set the fake's fault, run rclone commands, record printed error lines.

usage: python3 run.py [backend ...]      (fakes must be running: see README)
appends to raw.jsonl, then rebuilds rows.json via build_rows.py
"""
import json, os, re, shutil, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = f"{HERE}/rclone.conf"
PRISTINE = f"{HERE}/rclone.conf.pristine"
ENV = dict(os.environ)
for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
    ENV[k] = "http://127.0.0.1:9"
ENV["NO_PROXY"] = ENV["no_proxy"] = "127.0.0.1,localhost"

# ---- intended code of each fault, fixed BEFORE running rclone ----
FAULT_CODE = {
    "http401": "invalid_credentials", "http403": "access_denied", "http404": "not_found", "http409": "conflict",
    "http412": "conflict", "http423": "conflict", "http429": "rate_limited", "http429ra": "rate_limited",
    "http500": "unknown", "http502": "network_error", "http503": "rate_limited", "http503ra": "rate_limited",
    "http504": "upstream_timeout",
    "bad_json": "unknown", "html_body": "unknown", "html_502": "network_error",
    "slow": "upstream_timeout", "reset_now": "network_error", "reset_mid_body": "network_error",
    "eof_no_response": "network_error",
    "closed_port": "endpoint_unreachable", "https_to_plain": "network_error", "plain_to_tls": "network_error",
    "x509_untrusted": "network_error",
    "oauth_invalid_grant": "invalid_credentials", "oauth_invalid_client": "invalid_credentials",
    "oauth_500": "unknown", "oauth_closed": "endpoint_unreachable",
    "non_smb_reply": "network_error",
    # pcloud native result codes
    "pc_1000_login_required": "invalid_credentials", "pc_2000_login_failed": "invalid_credentials",
    "pc_2094_invalid_token": "invalid_credentials", "pc_2003_access_denied": "access_denied",
    "pc_2005_dir_missing": "not_found", "pc_2009_file_missing": "not_found", "pc_2004_exists": "conflict",
    "pc_2006_not_empty": "conflict", "pc_2008_over_quota": "unknown", "pc_4000_too_many": "rate_limited",
    "pc_5000_internal": "unknown", "pc_2001_bad_name": "validation_error",
    # hidrive native
    "hd_401_token": "invalid_credentials", "hd_403_perm": "access_denied", "hd_404_path": "not_found",
    "hd_409_exists": "conflict", "hd_507_quota": "unknown", "hd_400_param": "validation_error",
    "hd_423_locked": "conflict",
    # seafile native
    "sf_401_invalid_token": "invalid_credentials", "sf_403_perm": "access_denied", "sf_404_library": "not_found",
    "sf_404_file": "not_found", "sf_443_quota": "unknown", "sf_400_bad_path": "validation_error",
    "sf_520_failed": "unknown", "sf_login_bad": "invalid_credentials", "sf_login_2fa": "invalid_credentials",
    "sf_no_library": "not_found",
    # sia native
    "sia_no_file": "not_found", "sia_dir_missing": "not_found", "sia_enoent": "not_found",
    "sia_api_auth": "invalid_credentials", "sia_user_agent": "access_denied", "sia_no_contracts": "unknown",
    "sia_wallet_locked": "unknown",
    # koofr native
    "kf_unauthorized": "invalid_credentials", "kf_forbidden": "access_denied", "kf_not_found": "not_found",
    "kf_exists": "conflict", "kf_quota": "unknown", "kf_bad_request": "validation_error",
    # netstorage native
    "ns_sig_mismatch": "signature_mismatch", "ns_clock_skew": "request_time_skewed", "ns_quota": "unknown",
    "ns_not_found": "not_found",
}

BACKENDS = {
    # name: (remote, path prefix, supports about, native faults, port)
    "seafile": ("seaf", "lib/", True, ["sf_401_invalid_token", "sf_403_perm", "sf_404_library", "sf_404_file",
                                       "sf_443_quota", "sf_400_bad_path", "sf_520_failed", "sf_no_library"], 18101),
    "koofr": ("kf", "", True, ["kf_unauthorized", "kf_forbidden", "kf_not_found", "kf_exists", "kf_quota",
                               "kf_bad_request"], 18102),
    "sia": ("sia", "", False, ["sia_no_file", "sia_dir_missing", "sia_enoent", "sia_api_auth", "sia_user_agent",
                               "sia_no_contracts", "sia_wallet_locked"], 18103),
    "pcloud": ("pc", "", True, ["pc_1000_login_required", "pc_2000_login_failed", "pc_2094_invalid_token",
                                "pc_2003_access_denied", "pc_2005_dir_missing", "pc_2009_file_missing",
                                "pc_2004_exists", "pc_2006_not_empty", "pc_2008_over_quota", "pc_4000_too_many",
                                "pc_5000_internal", "pc_2001_bad_name"], 18104),
    "hidrive": ("hd", "", False, ["hd_401_token", "hd_403_perm", "hd_404_path", "hd_409_exists", "hd_507_quota",
                                  "hd_400_param", "hd_423_locked"], 18105),
    "netstorage": ("ns", "", False, ["ns_sig_mismatch", "ns_clock_skew", "ns_quota", "ns_not_found"], 18106),
}

HTTP_LIST = ["http401", "http403", "http404", "http409", "http412", "http423", "http429", "http429ra", "http500",
             "http502", "http503", "http503ra", "http504", "bad_json", "html_body", "html_502"]
TRANSPORT = ["reset_now", "reset_mid_body", "eof_no_response", "slow"]

LINE_RE = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d (?:(ERROR|CRITICAL|NOTICE) : (.*)|(Failed to .*))$")


def commands(remote, pre, about, which=None):
    r = f"{remote}:{pre}"
    cmds = {
        "lsjson": ["lsjson", f"{r}dir"],
        "copyto": ["copyto", f"{HERE}/src.txt", f"{r}dir/up.txt"],
        "cat": ["cat", f"{r}dir/f.txt"],
        "mkdir": ["mkdir", f"{r}newdir"],
        "deletefile": ["deletefile", f"{r}dir/f.txt"],
        "rmdir": ["rmdir", f"{r}dir/emptydir"],
        "size": ["size", f"{r}dir"],
    }
    if about:
        cmds["about"] = ["about", f"{remote}:"]
    if which:
        cmds = {k: v for k, v in cmds.items() if k in which}
    return cmds


def set_state(backend, fault, scope):
    with open(f"{HERE}/state/{backend}.json", "w") as f:
        json.dump({"fault": fault, "scope": scope}, f)
    # the TLS pcloud fake on 18104 also serves plain_to_tls / x509 targets; keep it healthy there
    if fault in ("plain_to_tls", "x509_untrusted", "closed_port", "https_to_plain"):
        with open(f"{HERE}/state/{backend}.json", "w") as f:
            json.dump({"fault": "none", "scope": "op"}, f)


def run_one(backend, fault, scope, cmdname, argv, extra=()):
    base = ["rclone", "--config", CONF, "--retries", "1", "--low-level-retries", "1", "--timeout", "3s",
            "--contimeout", "2s"] + list(extra)
    t0 = time.time()
    try:
        p = subprocess.run(["timeout", "30"] + base + argv, capture_output=True, text=True, env=ENV, timeout=40)
        err, rc = p.stderr, p.returncode
    except subprocess.TimeoutExpired:
        err, rc = "", -1
    shutil.copy(PRISTINE, CONF)
    lines = []
    for ln in err.splitlines():
        m = LINE_RE.match(ln)
        if m:
            lines.append({"level": m.group(1) or "FATAL", "message": m.group(2) or m.group(3)})
    shown = " ".join(a if not a.startswith(HERE) else "/tmp/src.txt" for a in argv)
    rec = {"backend": backend, "fault": fault, "scope": scope, "cmd": cmdname,
           "command": "rclone " + " ".join(x for x in extra) + (" " if extra else "") + shown,
           "rc": rc, "secs": round(time.time() - t0, 1), "lines": lines}
    with open(f"{HERE}/raw.jsonl", "a") as f:
        f.write(json.dumps(rec) + "\n")
    return rec


def run_backend(backend, only_deep=False):
    remote, pre, about, natives, port = BACKENDS[backend]
    extra = ["--no-check-certificate"] if backend == "pcloud" else []
    plan = []
    for fault in HTTP_LIST + natives:
        plan.append((fault, "op", None, remote, extra))
        plan.append((fault, "all", ["lsjson", "copyto", "about"], remote, extra))
        plan.append((fault, "deep", ["copyto", "cat", "mkdir", "deletefile", "rmdir", "lsjson"], remote, extra))
    for fault in TRANSPORT:
        plan.append((fault, "op", ["lsjson", "copyto", "cat", "mkdir", "deletefile", "about"] if fault != "slow"
                     else ["lsjson", "copyto", "cat", "about"], remote, extra))
        plan.append((fault, "all", ["lsjson", "copyto"], remote, extra))
    conn = ["lsjson", "cat", "copyto", "mkdir", "about"]
    plan.append(("closed_port", "all", conn, remote + "_closed", extra))
    plan.append(("https_to_plain", "all", conn, remote + "_https", extra))
    if backend == "pcloud":
        plan.append(("x509_untrusted", "all", conn, remote, []))
        for fault in ("oauth_invalid_grant", "oauth_invalid_client", "oauth_500"):
            plan.append((fault, "all", ["lsjson", "cat", "copyto", "about"], "pc_exp", extra))
    else:
        plan.append(("plain_to_tls", "all", conn, remote + "_plain2tls", extra))
    if backend == "hidrive":
        for fault in ("oauth_invalid_grant", "oauth_invalid_client", "oauth_500"):
            plan.append((fault, "all", ["lsjson", "cat", "copyto"], "hd_exp", extra))
        plan.append(("oauth_closed", "all", ["lsjson", "cat", "copyto"], "hd_exp_closed", extra))
    if backend == "seafile":
        for fault in ("sf_login_bad", "sf_login_2fa"):
            plan.append((fault, "all", ["lsjson", "copyto", "about"], "seafpw", extra))
        plan.append(("http401", "all", ["lsjson", "about"], "seafpw", extra))
        plan.append(("http403", "all", ["lsjson", "about"], "seafpw", extra))
    n = 0
    if only_deep:
        plan = [x for x in plan if x[1] == "deep"]
    for fault, scope, which, rem, ex in plan:
        assert fault in FAULT_CODE, fault
        set_state(backend, fault, scope)
        for cmdname, argv in commands(rem, pre if rem in (remote, "seafpw") else pre, about, which).items():
            rec = run_one(backend, fault, scope, cmdname, argv, ex)
            n += 1
        print(f"{backend} {fault} {scope} done ({n} runs)", flush=True)
    set_state(backend, "none", "op")


def run_smb():
    """SMB: transport-level faults only (no SMB2 emulation) - see smbfake.py"""
    plan = [("closed_port", "smb_closed"), ("reset_now", "smb_rst"), ("eof_no_response", "smb_eof"),
            ("non_smb_reply", "smb_garbage"), ("slow", "smb_silent")]
    for fault, rem in plan:
        for cmdname, argv in commands(rem, "share/", True, ["lsjson", "cat", "copyto", "mkdir", "about"]).items():
            run_one("smb", fault, "all", cmdname, argv)
        print("smb", fault, "done", flush=True)


if __name__ == "__main__":
    if not os.path.exists(PRISTINE):
        shutil.copy(CONF, PRISTINE)
    args = sys.argv[1:]
    only_deep = "--deep-only" in args
    args = [a for a in args if not a.startswith("--")]
    for b in args or list(BACKENDS):
        if b == "smb":
            run_smb()
        else:
            run_backend(b, only_deep)
        subprocess.run([sys.executable, f"{HERE}/build_rows.py"])
