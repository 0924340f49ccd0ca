"""Group pfu: put.io, 1Fichier, Uptobox faked through the loopback MITM proxy (rclone 1.60.1).

Hosts: api.put.io (API + OAuth token endpoint), upload.put.io (tus uploads), s101.put.io (download URL the fake
hands out); api.1fichier.com (API), up2.1fichier.com (upload node the fake hands out), a-5.1fichier.com (download
URL); uptobox.com (API), www1.uptobox.com (upload link), www0.uptobox.com (download link).

Each fault is answered on the "operation" requests: everything except the set-up lookup rclone makes when it
creates the file system (putio/fichier: listing of the root folder id 0; uptobox: the first /user/files call).
Faults ending in `_init` hit every request, so they land on the file-system creation."""
import json, time
from mitm import Response, Reset, Close, Hang, Partial, Raw

FAULTS = {
    # --- put.io
    "putio_auth401": "invalid_credentials",
    "putio_auth401_init": "invalid_credentials",
    "putio_token_invalid_grant": "invalid_credentials",
    "putio_token_invalid_client": "invalid_credentials",
    "putio_token_500": "unknown",
    "putio_token_503": "rate_limited",
    "putio_forbidden403": "access_denied",
    "putio_notfound404": "not_found",
    "putio_conflict409": "conflict",
    "putio_badreq400": "validation_error",
    "putio_rate429_reset": "rate_limited",
    "putio_rate429_noreset": "rate_limited",
    "putio_unavail503": "rate_limited",
    "putio_internal500": "unknown",
    "putio_quota": "unknown",
    # --- 1fichier
    "fichier_auth401": "invalid_credentials",
    "fichier_auth401_init": "invalid_credentials",
    "fichier_forbidden403": "access_denied",
    "fichier_notfound404": "not_found",
    "fichier_flood374": "rate_limited",
    "fichier_rate429_retry_after": "rate_limited",
    "fichier_rate429": "rate_limited",
    "fichier_unavail503": "rate_limited",
    "fichier_internal500": "unknown",
    "fichier_conflict_ko": "conflict",
    "fichier_badreq400": "validation_error",
    "fichier_quota": "unknown",
    # --- uptobox
    "uptobox_token13": "invalid_credentials",
    "uptobox_token13_init": "invalid_credentials",
    "uptobox_notfound": "not_found",
    "uptobox_premium": "access_denied",
    "uptobox_rate429": "rate_limited",
    "uptobox_rate429_retry_after": "rate_limited",
    "uptobox_unavail503": "rate_limited",
    "uptobox_internal500": "unknown",
    "uptobox_badparam": "validation_error",
    "uptobox_exists": "conflict",
    # --- Enterprise File Fabric (rpc.php answers HTTP 200 with {"status": "<code>", "statusmessage": ...})
    "filefabric_token_expired": "invalid_credentials",
    "filefabric_permtoken_invalid": "invalid_credentials",
    "filefabric_forbidden": "access_denied",
    "filefabric_notfound": "not_found",
    "filefabric_exists": "conflict",
    "filefabric_background": "rate_limited",
    "filefabric_quota": "unknown",
    "filefabric_badname": "validation_error",
    "filefabric_rate429": "rate_limited",
    "filefabric_unavail503": "rate_limited",
    "filefabric_internal500": "unknown",
    # --- SugarSync (XML API; errors are HTML pages whose <h3> rclone extracts)
    "sugarsync_auth401": "invalid_credentials",
    "sugarsync_auth401_init": "invalid_credentials",
    "sugarsync_refresh_invalid": "invalid_credentials",
    "sugarsync_refresh_500": "unknown",
    "sugarsync_forbidden403": "access_denied",
    "sugarsync_notfound404": "not_found",
    "sugarsync_conflict409": "conflict",
    "sugarsync_badreq400": "validation_error",
    "sugarsync_quota": "unknown",
    "sugarsync_rate429": "rate_limited",
    "sugarsync_unavail503": "rate_limited",
    "sugarsync_internal500": "unknown",
    # --- transport faults, every backend (prefix b_ with backend)
}
TRANSPORT = {
    "http502": "network_error", "http504": "upstream_timeout", "reset": "network_error", "close": "network_error",
    "hang": "upstream_timeout", "partial": "network_error", "garbled": "unknown", "reset_init": "network_error",
    "cert_self_signed": "network_error", "cert_expired": "network_error", "cert_wrong_host": "network_error",
}
BACKENDS = ("putio", "fichier", "uptobox", "filefabric", "sugarsync")
for _b in BACKENDS:
    for _f, _c in TRANSPORT.items():
        FAULTS[f"{_b}_{_f}"] = _c

CERT_MODE = {}
for _b in BACKENDS:
    CERT_MODE[f"{_b}_cert_self_signed"] = "self_signed"
    CERT_MODE[f"{_b}_cert_expired"] = "expired"
    CERT_MODE[f"{_b}_cert_wrong_host"] = "wrong_host"

GOOD_TOKEN = json.dumps({"access_token": "PUTIOFAKEACCESSTOKEN0123456789", "token_type": "bearer",
                         "expiry": "2099-01-01T00:00:00Z"})
EXPIRED_TOKEN = json.dumps({"access_token": "PUTIOEXPIREDTOKEN0123456789", "token_type": "bearer",
                            "refresh_token": "PUTIOREFRESH0123456789", "expiry": "2020-01-01T00:00:00Z"})

REMOTES = {
    "putio": {"type": "putio", "token": GOOD_TOKEN},
    "putioexp": {"type": "putio", "token": EXPIRED_TOKEN},
    "fichier": {"type": "fichier", "api_key": "FakeFichierApiKey0123456789abcdef"},
    "filefabric": {"type": "filefabric", "url": "https://storage.pfu-fabric.example", "permanent_token": "pfuPermanentTok0123456789",
                   "token": "pfuSessionTok0123456789", "token_expiry": "2099-01-01T00:00:00Z"},
    "sugarsync": {"type": "sugarsync", "refresh_token": "https://api.sugarsync.com/app-authorization/pfuRefresh0123",
                  "authorization": "https://api.sugarsync.com/authorization/pfuAuth0123",
                  "authorization_expiry": "2099-01-01T00:00:00Z", "user": "https://api.sugarsync.com/user/1234"},
    "sugarsyncexp": {"type": "sugarsync", "refresh_token": "https://api.sugarsync.com/app-authorization/pfuRefresh0123",
                     "authorization": "https://api.sugarsync.com/authorization/pfuOldAuth",
                     "authorization_expiry": "2020-01-01T00:00:00Z", "user": "https://api.sugarsync.com/user/1234"},
    "filefabricexp": {"type": "filefabric", "url": "https://storage.pfu-fabric.example",
                      "permanent_token": "pfuPermanentTok0123456789", "token": "pfuOldSessionTok",
                      "token_expiry": "2020-01-01T00:00:00Z"},
    "uptobox": {"type": "uptobox", "access_token": "fakeuptoboxtoken0123456789abcdef"},
}

COMMANDS = {
    "lsjson": ["lsjson", "R:dir"],
    "lsd": ["lsd", "R:dir"],
    "upload": ["copyto", "{src}", "R:dir/up.bin"],
    "download": ["copyto", "R:dir/f.bin", "{tmp}/f.bin"],
    "cat": ["cat", "R:dir/f.bin"],
    "mkdir": ["mkdir", "R:newdir"],
    "rmdir": ["rmdir", "R:emptydir"],
    "deletefile": ["deletefile", "R:dir/f.bin"],
    "moveto": ["moveto", "R:dir/f.bin", "R:dir/g.bin"],
    "size": ["size", "R:dir"],
    "about": ["about", "R:"],
    "purge": ["purge", "R:dir"],
}
READS = ["lsjson", "download", "cat", "size"]
WRITES = ["upload", "mkdir", "rmdir", "deletefile", "moveto"]

PLAN = {
    # put.io
    "putio_auth401": READS + WRITES + ["about"],
    "putio_auth401_init": ["lsjson", "cat"],
    "putio_token_invalid_grant": ["lsjson", "upload", "about"],
    "putio_token_invalid_client": ["lsjson", "mkdir"],
    "putio_token_500": ["lsjson", "cat"],
    "putio_token_503": ["lsjson", "deletefile"],
    "putio_forbidden403": READS + WRITES + ["about", "purge"],
    "putio_notfound404": ["lsjson", "cat", "download", "deletefile", "moveto", "purge"],
    "putio_conflict409": ["mkdir", "moveto", "rmdir", "upload"],
    "putio_badreq400": ["mkdir", "moveto", "upload"],
    "putio_rate429_reset": ["lsjson", "cat", "mkdir", "upload", "about"],
    "putio_rate429_noreset": ["lsjson"],
    "putio_unavail503": ["lsjson", "cat", "upload", "mkdir", "about"],
    "putio_internal500": ["lsjson", "cat", "upload", "deletefile"],
    "putio_quota": ["upload", "copy"],
    # fichier
    "fichier_auth401": ["lsjson", "cat", "upload", "mkdir", "deletefile", "about"],
    "fichier_auth401_init": ["lsjson", "cat"],
    "fichier_forbidden403": ["lsjson", "cat", "upload", "mkdir", "rmdir", "deletefile", "moveto", "about"],
    "fichier_notfound404": ["lsjson", "cat", "download", "deletefile", "moveto"],
    "fichier_flood374": ["lsjson"],
    "fichier_rate429_retry_after": ["lsjson", "cat", "upload"],
    "fichier_rate429": ["lsjson", "mkdir"],
    "fichier_unavail503": ["lsjson", "cat", "upload", "about"],
    "fichier_internal500": ["lsjson", "cat", "mkdir"],
    "fichier_conflict_ko": ["rmdir", "moveto"],
    "fichier_badreq400": ["mkdir", "moveto"],
    "fichier_quota": ["upload"],
    # uptobox
    "uptobox_token13": ["lsjson", "upload", "mkdir", "deletefile", "moveto", "rmdir"],
    "uptobox_token13_init": ["lsjson", "cat"],
    "uptobox_notfound": ["lsjson", "size", "deletefile", "moveto"],
    "uptobox_premium": ["upload"],
    "uptobox_rate429": ["lsjson", "cat", "mkdir"],
    "uptobox_rate429_retry_after": ["lsjson", "upload"],
    "uptobox_unavail503": ["lsjson", "cat", "upload", "deletefile"],
    "uptobox_internal500": ["lsjson", "cat", "mkdir"],
    "uptobox_badparam": ["mkdir", "moveto", "deletefile"],
    "uptobox_exists": ["mkdir", "moveto"],
    # filefabric
    "filefabric_token_expired": ["lsjson", "upload", "mkdir", "deletefile", "moveto", "rmdir"],
    "filefabric_permtoken_invalid": ["lsjson", "cat", "mkdir"],
    "filefabric_forbidden": ["lsjson", "upload", "mkdir", "deletefile", "moveto", "rmdir"],
    "filefabric_notfound": ["lsjson", "deletefile", "moveto"],
    "filefabric_exists": ["mkdir", "moveto"],
    "filefabric_background": ["mkdir", "rmdir"],
    "filefabric_quota": ["upload"],
    "filefabric_badname": ["mkdir", "moveto"],
    "filefabric_rate429": ["lsjson", "cat", "upload"],
    "filefabric_unavail503": ["lsjson", "cat", "mkdir"],
    "filefabric_internal500": ["lsjson", "upload", "deletefile"],
    # sugarsync
    "sugarsync_auth401": ["lsjson", "cat", "upload", "mkdir", "deletefile", "moveto", "rmdir"],
    "sugarsync_auth401_init": ["lsjson", "cat"],
    "sugarsync_refresh_invalid": ["lsjson", "mkdir"],
    "sugarsync_refresh_500": ["lsjson"],
    "sugarsync_forbidden403": ["lsjson", "cat", "upload", "mkdir", "deletefile", "moveto"],
    "sugarsync_notfound404": ["lsjson", "cat", "deletefile", "moveto"],
    "sugarsync_conflict409": ["mkdir", "moveto"],
    "sugarsync_badreq400": ["mkdir", "moveto"],
    "sugarsync_quota": ["upload"],
    "sugarsync_rate429": ["lsjson", "cat", "upload"],
    "sugarsync_unavail503": ["lsjson", "cat", "mkdir"],
    "sugarsync_internal500": ["lsjson", "upload", "deletefile"],
}
TRANSPORT_PLAN = {
    "http502": ["lsjson", "cat", "upload"], "http504": ["lsjson", "cat", "mkdir"],
    "reset": ["lsjson", "cat", "upload", "deletefile"], "close": ["lsjson", "download", "mkdir"],
    "hang": ["lsjson", "cat"], "partial": ["lsjson", "cat", "download"], "garbled": ["lsjson", "cat", "mkdir"],
    "reset_init": ["lsjson", "cat"], "cert_self_signed": ["lsjson", "cat"], "cert_expired": ["lsjson", "upload"],
    "cert_wrong_host": ["lsjson", "mkdir"],
}
for _b in BACKENDS:
    for _f, _cmds in TRANSPORT_PLAN.items():
        PLAN[f"{_b}_{_f}"] = _cmds

EXTRA = {"copy": ["copyto", "R:dir/f.bin", "R:dir/c.bin"]}


LISTING_COMMANDS = ("lsjson", "lsd", "size")


def op_variant(fault, name):
    """Commands other than listings get the `_op` variant: the fault spares the listing/metadata look-ups so it lands
    on the operation itself (delete, rename, upload, download link, mkdir, about)."""
    if name in LISTING_COMMANDS or fault.endswith("_init") or "_cert_" in fault or "_token_" in fault:
        return fault
    return fault + "_op"


for _f in list(PLAN):
    FAULTS[_f + "_op"] = FAULTS[_f]


def scenarios():
    out = []
    for fault, cmds in PLAN.items():
        backend = fault.split("_", 1)[0]
        remote = backend
        if fault.startswith("putio_token_"):
            remote = "putioexp"
        if fault == "filefabric_permtoken_invalid":
            remote = "filefabricexp"
        if fault.startswith("sugarsync_refresh_"):
            remote = "sugarsyncexp"
        for name in cmds:
            if backend in ("uptobox", "filefabric", "sugarsync") and name in ("about",):
                continue
            argv = COMMANDS.get(name) or EXTRA[name]
            out.append((backend, remote, op_variant(fault, name), name, [a.replace("R:", remote + ":") for a in argv]))
    return out


# ---------------------------------------------------------------------------------------------------------------
def html(status, title):
    return Response(status, f"<html>\r\n<head><title>{status} {title}</title></head>\r\n<body>\r\n<center><h1>{status} "
                            f"{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                    content_type="text/html")


def transport(kind, json_prefix):
    if kind == "http502":
        return html(502, "Bad Gateway")
    if kind == "http504":
        return html(504, "Gateway Time-out")
    if kind in ("reset", "reset_init"):
        return Reset()
    if kind == "close":
        return Close()
    if kind == "hang":
        return Hang(20)
    if kind == "partial":
        return Partial(200, json_prefix, declared_length=4096, headers={"Content-Type": "application/json"})
    if kind == "garbled":
        # long enough that the putio SDK's 250-byte error excerpt cannot slice out of range
        return Response(200, json_prefix + b"\x00\xff<!-- upstream truncated -->" + b"#" * 300,
                        content_type="application/json")
    return None


def _split(fault):
    backend, kind = fault.split("_", 1)
    if kind.endswith("_op"):
        kind = kind[:-3]
    return backend, kind


# ------------------------------------------------------------------ put.io
T = "2022-10-01T10:00:00"


def pfile(fid, name, parent, size=65536, d=False):
    return {"id": fid, "name": name, "size": 0 if d else size,
            "content_type": "application/x-directory" if d else "application/octet-stream",
            "created_at": T, "updated_at": T, "first_accessed_at": None, "parent_id": parent,
            "screenshot": None, "opensubtitles_hash": None, "is_mp4_available": False, "icon": "",
            "crc32": None if d else "1a2b3c4d", "is_shared": False, "file_type": "FOLDER" if d else "FILE"}


def putio_err(status, etype, msg, headers=None):
    body = {"error_id": "7c1f8a2e-5b1d-4b6e-9d3f-2a9e0c41b7d5", "error_message": msg, "error_type": etype,
            "error_uri": "https://api.put.io/v2/docs", "extra": {}, "status": "ERROR", "status_code": status}
    return Response(status, json.dumps(body), headers=headers, content_type="application/json")


def oauth_err(status, err, desc):
    return Response(status, {"error": err, "error_description": desc})


PUTIO_FAULT = {
    "auth401": lambda: putio_err(401, "invalid_grant", "The access token provided is invalid or has expired."),
    "forbidden403": lambda: putio_err(403, "Forbidden", "You do not have permission to access this file."),
    "notfound404": lambda: putio_err(404, "NotFound", "File not found"),
    "conflict409": lambda: putio_err(409, "Conflict", "A file with the same name already exists in the target folder."),
    "badreq400": lambda: putio_err(400, "InvalidArgument", "Invalid value for parameter: name"),
    "rate429_reset": lambda: putio_err(429, "TooManyRequests", "Too many requests. Please slow down.",
                                        {"x-ratelimit-limit": "300", "x-ratelimit-remaining": "0",
                                         "x-ratelimit-reset": str(int(time.time()) + 1)}),
    "rate429_noreset": lambda: putio_err(429, "TooManyRequests", "Too many requests. Please slow down.",
                                          {"Retry-After": "1"}),
    "unavail503": lambda: putio_err(503, "ServiceUnavailable", "Service is temporarily unavailable, please try again later."),
    "internal500": lambda: putio_err(500, "InternalServerError", "An unexpected error occurred."),
    "quota": lambda: putio_err(400, "NOT_ENOUGH_SPACE", "Not enough disk space. You have used all of your storage."),
}


def putio_ok(req, state):
    h, p = req.host, req.path
    if h == "api.put.io" and p == "/v2/oauth2/access_token":
        return Response(200, {"access_token": "PUTIONEWTOKEN", "token_type": "bearer"})
    if h == "upload.put.io":
        if req.method == "POST":
            return Response(201, b"", headers={"Location": "https://upload.put.io/files/5f2c0a9e", "Tus-Resumable": "1.0.0"})
        if req.method == "PATCH":
            return Response(204, b"", headers={"Upload-Offset": str(len(req.body)), "Putio-File-Id": "1003",
                                               "Tus-Resumable": "1.0.0"})
        return Response(200, b"", headers={"Upload-Offset": "0"})
    if h == "s101.put.io":
        return Response(200, b"\x5a" * 65536, content_type="application/octet-stream")
    if p == "/v2/files/list":
        pid = int(req.arg("parent_id", "0"))
        if pid == 0:
            files = [pfile(1001, "dir", 0, d=True), pfile(1005, "emptydir", 0, d=True)]
        elif pid == 1001:
            files = [pfile(1002, "g.bin" if state.get("moved") else "f.bin", 1001)]
        else:
            files = []
        return Response(200, {"files": files, "parent": pfile(pid, "x", 0, d=True), "cursor": None, "total": len(files),
                              "status": "OK"})
    if p.startswith("/v2/files/") and p.endswith("/child"):
        name = req.arg("name")
        cur = "g.bin" if state.get("moved") else "f.bin"
        if name == cur or (name == "c.bin" and state.get("copied")):
            return Response(200, {"file": pfile(1002, name, 1001), "status": "OK"})
        return putio_err(404, "NotFound", "File not found")
    if p == "/v2/files/1003":
        return Response(200, {"file": pfile(1003, "up.bin", 1001), "status": "OK"})
    if p.endswith("/url"):
        return Response(200, {"url": "https://s101.put.io/download/1002?oauth_token=x", "status": "OK"})
    if p == "/v2/files/create-folder":
        return Response(200, {"file": pfile(1004, "newdir", 0, d=True), "status": "OK"})
    if p == "/v2/files/move":
        state["moved"] = True
        return Response(200, {"status": "OK"})
    if p == "/v2/files/copy":
        state["copied"] = True
        return Response(200, {"status": "OK"})
    if p in ("/v2/files/delete", "/v2/files/touch"):
        return Response(200, {"status": "OK", "skipped": 0})
    if p == "/v2/account/info":
        return Response(200, {"info": {"account_active": True, "username": "rcloneuser", "mail": "u@example.com",
                                       "user_id": 42, "disk": {"avail": 50 << 30, "size": 100 << 30, "used": 50 << 30}},
                              "status": "OK"})
    return None


def putio_route(req, fault, state):
    _, kind = _split(fault)
    token_req = req.host == "api.put.io" and req.path == "/v2/oauth2/access_token"
    if kind.startswith("token_"):
        if token_req:
            return {"token_invalid_grant": lambda: oauth_err(400, "invalid_grant", "The provided authorization grant is invalid, expired, revoked, or was issued to another client."),
                    "token_invalid_client": lambda: oauth_err(401, "invalid_client", "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method)."),
                    "token_500": lambda: Response(500, {"error_message": "An unexpected error occurred.", "error_type": "InternalServerError", "status_code": 500}),
                    "token_503": lambda: html(503, "Service Temporarily Unavailable")}[kind]()
        return putio_ok(req, state)
    setup = req.path == "/v2/files/list" and req.arg("parent_id") == "0"
    if fault.endswith("_op"):
        setup = req.method == "GET" and (req.path == "/v2/files/list" or req.path.endswith("/child")
                                         or req.path == "/v2/files/1003")
    if kind.endswith("_init"):
        kind, setup = kind[:-5], False
    if not setup:
        if kind == "conflict409" and req.method == "GET":
            return putio_ok(req, state)
        if kind == "badreq400" and req.method == "GET":
            return putio_ok(req, state)
        if kind == "quota" and not (req.method == "POST" and (req.host == "upload.put.io" or req.path == "/v2/files/copy")):
            return putio_ok(req, state)
        if kind in PUTIO_FAULT:
            return PUTIO_FAULT[kind]()
        t = transport(kind, b'{"files": [{"id": 1002, "name": "f.b')
        if t is not None:
            return t
    return putio_ok(req, state)


# ------------------------------------------------------------------ 1fichier
def fich_ko(status, msg, headers=None):
    return Response(status, {"status": "KO", "message": msg}, headers=headers)


FICHIER_FAULT = {
    "auth401": lambda: fich_ko(401, "Not authenticated #247"),
    "forbidden403": lambda: fich_ko(403, "Resource not allowed #632"),
    "notfound404": lambda: fich_ko(404, "Resource not found #469"),
    "flood374": lambda: fich_ko(403, "Flood detected: IP Locked #374"),
    "rate429_retry_after": lambda: fich_ko(429, "Too many requests, please retry later #375", {"Retry-After": "2"}),
    "rate429": lambda: fich_ko(429, "Too many requests, please retry later #375"),
    "unavail503": lambda: fich_ko(503, "Service temporarily unavailable, please retry later #501"),
    "internal500": lambda: fich_ko(500, "Internal error #500"),
    "badreq400": lambda: fich_ko(400, "Invalid name: forbidden characters #616"),
    "quota": lambda: fich_ko(403, "Not enough space left on your account #603"),
}


def fich_file(name, url):
    return {"cdn": 0, "checksum": "9c1185a5c5e9fc54612808977ee8f548b2258d31", "content-type": "application/octet-stream",
            "date": "2022-10-01 10:00:00", "filename": name, "pass": 0, "size": 65536, "url": url}


def fichier_ok(req, state):
    h, p = req.host, req.path
    body = req.json() or {}
    if h == "up2.1fichier.com":
        if p == "/upload.cgi":
            return Response(200, "<html>ok</html>", content_type="text/html")
        if p == "/end.pl":
            return Response(200, {"incoming": 0, "links": [{"download": "https://1fichier.com/?up0000001", "filename": "up.bin",
                                                            "remove": "rmkey", "size": "65536", "whirlpool": "abc"}]})
    if h == "a-5.1fichier.com":
        return Response(200, b"\x5a" * 65536, content_type="application/octet-stream")
    if p == "/v1/folder/ls.cgi":
        fid = body.get("folder_id", 0)
        subs = [{"id": 101, "name": "dir", "create_date": "2022-10-01 10:00:00", "pass": 0},
                {"id": 102, "name": "emptydir", "create_date": "2022-10-01 10:00:00", "pass": 0}] if fid == 0 else []
        return Response(200, {"folder_id": fid, "name": "" if fid == 0 else "dir", "status": "OK", "sub_folders": subs})
    if p == "/v1/file/ls.cgi":
        fid = body.get("folder_id", 0)
        items = [fich_file("g.bin" if state.get("moved") else "f.bin", "https://1fichier.com/?f0000001")] if fid == 101 else []
        return Response(200, {"status": "OK", "items": items})
    if p == "/v1/download/get_token.cgi":
        return Response(200, {"url": "https://a-5.1fichier.com/c0000001", "status": "OK", "message": ""})
    if p == "/v1/upload/get_upload_server.cgi":
        return Response(200, {"url": "up2.1fichier.com", "id": "Xk3pQ9aZ"})
    if p == "/v1/folder/mkdir.cgi":
        return Response(200, {"status": "OK", "name": body.get("name", ""), "folder_id": 103})
    if p in ("/v1/folder/rm.cgi", "/v1/file/rm.cgi"):
        return Response(200, {"status": "OK", "message": "1 file(s) removed"})
    if p == "/v1/file/rename.cgi":
        state["moved"] = True
        return Response(200, {"status": "OK", "message": "", "renamed": 1,
                              "urls": [{"url": "https://1fichier.com/?f0000001", "old_filename": "f.bin", "new_filename": "g.bin"}]})
    if p == "/v1/file/info.cgi":
        return Response(200, fich_file("g.bin", "https://1fichier.com/?f0000001"))
    if p == "/v1/user/info.cgi":
        return Response(200, {"status": "OK", "email": "u@example.com", "cold_storage": 1 << 30,
                              "available_cold_storage": 100 << 30, "hot_storage": 0, "offer": "premium"})
    return None


def fichier_route(req, fault, state):
    _, kind = _split(fault)
    body = req.json() or {}
    setup = req.path == "/v1/folder/ls.cgi" and body.get("folder_id") == 0
    if fault.endswith("_op"):
        setup = req.path in ("/v1/folder/ls.cgi", "/v1/file/ls.cgi", "/v1/file/info.cgi")
    if kind.endswith("_init"):
        kind, setup = kind[:-5], False
    if setup:
        return fichier_ok(req, state)
    if kind == "conflict_ko":
        if req.path == "/v1/folder/rm.cgi":
            return Response(200, {"status": "KO", "message": "Folder is not empty #604"})
        if req.path == "/v1/file/rename.cgi":
            return Response(200, {"status": "KO", "message": "A file with the same name already exists #617", "renamed": 0, "urls": []})
        return fichier_ok(req, state)
    if kind == "badreq400" and req.path not in ("/v1/folder/mkdir.cgi", "/v1/file/rename.cgi"):
        return fichier_ok(req, state)
    if kind == "quota" and req.path != "/v1/upload/get_upload_server.cgi":
        return fichier_ok(req, state)
    if kind in FICHIER_FAULT:
        return FICHIER_FAULT[kind]()
    t = transport(kind, b'{"status":"OK","items":[{"filename":"f.b')
    if t is not None:
        return t
    return fichier_ok(req, state)


# ------------------------------------------------------------------ uptobox
def upt(status_code, message, data=None, http=200, headers=None):
    body = {"statusCode": status_code, "message": message}
    if data is not None:
        body["data"] = data
    return Response(http, body, headers=headers)


UPTOBOX_FAULT = {
    "token13": lambda: upt(13, "Invalid token"),
    "premium": lambda: upt(8, "You need to be premium to use this feature", "Premium account required"),
    "rate429": lambda: upt(429, "Too many requests", "Rate limit exceeded, please try again later", http=429),
    "rate429_retry_after": lambda: upt(429, "Too many requests", "Rate limit exceeded, please try again later", http=429,
                                       headers={"Retry-After": "2"}),
    "unavail503": lambda: html(503, "Service Temporarily Unavailable"),
    "internal500": lambda: upt(1, "An error occured", "Internal server error", http=500),
    "badparam": lambda: upt(7, "Invalid parameter", "Invalid folder name"),
    "exists": lambda: upt(1, "An error occured", "A file with this name already exists in the destination folder"),
}


def upt_file(name, code="abc123def456"):
    return {"file_name": name, "file_descr": "", "file_created": "2022-10-01 10:00:00", "file_size": 65536,
            "file_downloads": 0, "file_code": code, "file_password": "", "file_public": 0,
            "file_last_download": "2022-10-01 10:00:00", "id": 7001}


def uptobox_ok(req, state):
    h, p = req.host, req.path
    if h == "www1.uptobox.com":
        state["uploaded"] = True
        return Response(200, {"files": [{"name": "rcloneTemp", "size": 65536, "url": "https://uptobox.com/up0000000001",
                                         "deleteUrl": "https://uptobox.com/up0000000001?killcode=x"}]})
    if h == "www0.uptobox.com":
        return Response(200, b"\x5a" * 65536, content_type="application/octet-stream")
    if p == "/api/user/files" and req.method == "GET":
        path = req.arg("path", "//")
        if path in ("//dir", "//dir/"):
            files = [upt_file("g.bin" if state.get("moved") else "f.bin")]
            if state.get("renamed_up"):
                files.append(upt_file("up.bin", "up0000000001"))
            folder = {"fld_id": 301, "hash": "h301", "fileCount": len(files), "totalFileSize": 65536 * len(files)}
            folders = []
        elif path in ("//", "///", "//."):
            files, folders = [], [{"fld_id": 301, "fld_descr": "", "fld_password": "", "fullPath": "//dir", "fld_name": "//dir",
                                   "name": "dir", "hash": "h301"},
                                  {"fld_id": 302, "fld_descr": "", "fld_password": "", "fullPath": "//emptydir",
                                   "fld_name": "//emptydir", "name": "emptydir", "hash": "h302"}]
            folder = {"fld_id": 300, "hash": "h300", "fileCount": 0, "totalFileSize": 0}
        elif path == "//emptydir":
            files, folders = [], []
            folder = {"fld_id": 302, "hash": "h302", "fileCount": 0, "totalFileSize": 0}
        else:
            return upt(1, "An error occured", "Could not find current path")
        return Response(200, {"statusCode": 0, "message": "Success", "data": {
            "currentFolder": folder, "folders": folders, "files": files, "pageCount": 1,
            "totalFileCount": len(files), "totalFileSize": 65536 * len(files)}})
    if p == "/api/upload":
        return upt(0, "Success", {"uploadLink": "//www1.uptobox.com/upload?upload_id=u0000000001", "maxUpload": "200 GB"})
    if p == "/api/link":
        return upt(0, "Success", {"dlLink": "https://www0.uptobox.com/dl/abc123def456/f.bin"})
    if p == "/api/user/files" and req.method == "PATCH":
        b = req.json() or {}
        if b.get("new_name") == "g.bin" or b.get("file_code") == "abc123def456":
            state["moved"] = True
        if b.get("file_code") == "up0000000001":
            state["renamed_up"] = True
        return upt(0, "Success", "Updated")
    if p == "/api/user/files" and req.method in ("PUT", "DELETE"):
        return upt(0, "Success", "Done")
    return None


def uptobox_route(req, fault, state):
    _, kind = _split(fault)
    state["n"] = state.get("n", 0) + 1
    setup = state["n"] == 1 and req.host == "uptobox.com"
    if fault.endswith("_op"):
        setup = req.host == "uptobox.com" and req.path == "/api/user/files" and req.method == "GET"
    if kind.endswith("_init"):
        kind, setup = kind[:-5], False
    if setup:
        return uptobox_ok(req, state)
    if kind == "notfound":
        if req.path == "/api/link":
            return upt(28, "File not found", "The file you requested does not exist or has been deleted")
        if req.path == "/api/user/files" and req.method in ("PATCH", "DELETE"):
            return upt(28, "File not found", "The file you requested does not exist or has been deleted")
        if req.path == "/api/user/files" and req.method == "GET" and not fault.endswith("_op"):
            return upt(1, "An error occured", "Could not find current path")
        return uptobox_ok(req, state)
    if kind == "premium" and req.path not in ("/api/link", "/api/upload"):
        return uptobox_ok(req, state)
    if kind in ("badparam", "exists") and req.method == "GET":
        return uptobox_ok(req, state)
    if kind in UPTOBOX_FAULT:
        return UPTOBOX_FAULT[kind]()
    t = transport(kind, b'{"statusCode":0,"message":"Success","data":{"currentFolder":{"fld_id":30')
    if t is not None:
        return t
    return uptobox_ok(req, state)


# ------------------------------------------------------------------ Enterprise File Fabric
FT = "2022-10-01 10:00:00"


def ff_item(fid, pid, name, folder=False):
    return {"fi_id": fid, "fi_pid": pid, "fi_name": name, "fi_type": "1" if folder else "0",
            "fi_size": "0" if folder else "65536", "fi_contenttype": "" if folder else "application/octet-stream",
            "fi_modified": FT, "fi_localtime": FT, "trash": False, "subfolders": 0}


def ff_status(code, msg):
    return Response(200, {"status": code, "statusmessage": msg, "taskid": ""})


FF_FAULT = {
    "token_expired": lambda: ff_status("login_token_expired", "Your login token has expired. Please log in again."),
    "forbidden": lambda: ff_status("error_permission_denied", "You do not have permission to perform this operation on this item."),
    "notfound": lambda: ff_status("error_file_not_found", "The requested file or folder was not found."),
    "exists": lambda: ff_status("error_file_exists", "A file or folder with the same name already exists in the destination folder."),
    "background": lambda: ff_status("error_background", "Can not create folder now. We are not able to complete the requested operation with such name. We are processing delete in that folder. Please try again later or use another name."),
    "quota": lambda: ff_status("error_quota_exceeded", "Upload failed: your storage quota has been exceeded."),
    "badname": lambda: ff_status("error_invalid_name", "The name contains invalid characters."),
    "rate429": lambda: Response(429, {"status": "error_too_many_requests", "statusmessage": "Too many requests. Please try again later."},
                                headers={"Retry-After": "1"}),
    "unavail503": lambda: html(503, "Service Temporarily Unavailable"),
    "internal500": lambda: html(500, "Internal Server Error"),
}
FF_TARGET = {  # rpc functions each fault is aimed at in _op mode (None = any non-lookup call)
    "exists": ("doCreateNewFolder", "doRenameFile"), "background": ("doCreateNewFolder", "doDeleteFolder"),
    "quota": ("doInitUpload",), "badname": ("doCreateNewFolder", "doRenameFile"),
}


def ff_form(req):
    import urllib.parse
    return {k: v[0] for k, v in urllib.parse.parse_qs(req.body.decode(errors="replace")).items()}


def filefabric_ok(req, state, fn, form):
    if req.path.startswith("/cgi-bin/uploader/"):
        return Response(200, {"filesize": str(len(req.body)), "md5": "0cc175b9c0f1b6a831c399e269772661", "success": "y"})
    if fn == "getApplianceInfo":
        return Response(200, {"status": "ok", "statusmessage": "", "sitetitle": "PFU File Fabric", "oauthloginsupport": "n",
                              "isappliance": "y", "softwareversion": "2006.02", "softwareversionlabel": "2006.02"})
    if fn == "getTokenByAuthToken":
        return Response(200, {"status": "ok", "statusmessage": "", "token": "pfuNewSessionTok", "userid": "42",
                              "allowloginremember": "y", "lastlogin": FT, "autologincode": ""})
    if fn == "checkPathExists":
        leaf = form.get("path", "").strip("/").split("/")[-1]
        cur = "g.bin" if state.get("moved") else "f.bin"
        item = {"dir": ff_item("101", "", "dir", True), "emptydir": ff_item("102", "", "emptydir", True),
                cur: ff_item("201", "101", cur)}.get(leaf)
        if item is None:
            return Response(200, {"status": "ok", "statusmessage": "", "exists": "n"})
        return Response(200, {"status": "ok", "statusmessage": "", "exists": "y", "file": item})
    if fn == "getFolderContents":
        pid = form.get("fi_pid", "")
        items = {"": [ff_item("101", "", "dir", True), ff_item("102", "", "emptydir", True)],
                 "101": [ff_item("201", "101", "g.bin" if state.get("moved") else "f.bin")]}.get(pid, [])
        if form.get("from"):
            items = []
        return Response(200, {"status": "ok", "statusmessage": "", "total": str(len(items)), "filelist": items,
                              "folder": ff_item(pid or "0", "", "x", True), "from": "0", "pid": pid, "parents": []})
    if fn == "getFile":
        return Response(200, b"\x5a" * 65536, content_type="application/octet-stream")
    if fn == "doInitUpload":
        return Response(200, {"status": "ok", "statusmessage": "", "providerid": "1", "uploadcode": "UPC0000001",
                              "filetype": "0", "directuploadsupport": "n", "resumeallowed": "n"})
    if fn == "doCompleteUpload":
        return Response(200, {"status": "ok", "statusmessage": "", "uploadedsize": "65536", "storageip": "10.0.0.1",
                              "uploadedname": "up.bin", "file": ff_item("202", "101", "up.bin")})
    if fn == "doCreateNewFolder":
        return Response(200, {"status": "ok", "statusmessage": "", "file": ff_item("103", "", form.get("fi_name", "newdir"), True)})
    if fn in ("doDeleteFile", "doDeleteFolder"):
        return Response(200, {"status": "ok", "statusmessage": "", "deleted": [form.get("fi_id", "")], "errors": []})
    if fn in ("doRenameFile", "doMoveFiles"):
        state["moved"] = True
        return Response(200, {"status": "ok", "statusmessage": "", "taskid": "", "file": ff_item("201", "101", "g.bin")})
    if fn == "doModifyFile":
        return Response(200, {"status": "ok", "statusmessage": ""})
    return None


def filefabric_route(req, fault, state):
    _, kind = _split(fault)
    form = ff_form(req) if req.path == "/api/rpc.php" else {}
    fn = form.get("function", "")
    if kind == "permtoken_invalid":
        if fn == "getTokenByAuthToken":
            return ff_status("error_invalid_authtoken", "Invalid authentication token. Please create a new token in My Authentication Tokens.")
        return filefabric_ok(req, state, fn, form)
    setup = fn in ("getApplianceInfo", "checkPathExists")
    if fault.endswith("_op"):
        setup = setup or fn in ("getFolderContents", "getTokenByAuthToken")
    if kind.endswith("_init"):
        kind, setup = kind[:-5], fn != "getApplianceInfo"
    if setup:
        return filefabric_ok(req, state, fn, form)
    if kind in FF_TARGET and fn not in FF_TARGET[kind]:
        return filefabric_ok(req, state, fn, form)
    if kind in FF_FAULT:
        return FF_FAULT[kind]()
    t = transport(kind, b'{"status":"ok","statusmessage":"","total":"1","filelist":[{"fi_id":"20')
    if t is not None:
        return t
    return filefabric_ok(req, state, fn, form)


# ------------------------------------------------------------------ SugarSync
SS = "https://api.sugarsync.com"
SST = "2022-10-01T10:00:00.000-07:00"


def ss_html(status, msg, headers=None):
    return Response(status, f"<html><head><title>SugarSync API</title></head><body><h3>{msg}</h3></body></html>",
                    headers=headers, content_type="text/html;charset=utf-8")


def ss_xml(body, headers=None, status=200):
    return Response(status, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + body, headers=headers,
                    content_type="application/xml; charset=UTF-8")


def ss_file(name, ref):
    return (f"<file><displayName>{name}</displayName><ref>{ref}</ref><size>65536</size><lastModified>{SST}</lastModified>"
            f"<mediaType>application/octet-stream</mediaType><presentOnServer>true</presentOnServer></file>")


def ss_coll(name, ref, kind="syncFolder"):
    return f'<collection type="{kind}"><displayName>{name}</displayName><ref>{ref}</ref></collection>'


SS_FAULT = {
    "auth401": lambda: ss_html(401, "Authorization token has expired or is invalid. Please re-authenticate."),
    "forbidden403": lambda: ss_html(403, "Access to the requested resource is forbidden."),
    "notfound404": lambda: ss_html(404, "The requested resource was not found."),
    "conflict409": lambda: ss_html(409, "A file or folder with the same name already exists."),
    "badreq400": lambda: ss_html(400, "Invalid displayName: the name contains characters that are not allowed."),
    "quota": lambda: ss_html(403, "Storage quota exceeded. Delete files or upgrade your plan to upload more."),
    "rate429": lambda: ss_html(429, "Too many requests. Please slow down and try again later.", {"Retry-After": "1"}),
    "unavail503": lambda: ss_html(503, "The service is temporarily unavailable. Please try again later."),
    "internal500": lambda: ss_html(500, "An internal server error occurred."),
}


def sugarsync_ok(req, state):
    p = req.path
    if p == "/authorization":
        return ss_xml(f"<authorization><expiration>2099-01-01T00:00:00.000-08:00</expiration><user>{SS}/user/1234</user></authorization>",
                      headers={"Location": f"{SS}/authorization/pfuNewAuth"}, status=201)
    if p == "/user":
        return ss_xml(f"<user><username>u@example.com</username><nickname>u</nickname><quota><limit>5368709120</limit>"
                      f"<usage>1073741824</usage></quota><workspaces>{SS}/user/1234/workspaces/contents</workspaces>"
                      f"<syncfolders>{SS}/user/1234/folders/contents</syncfolders><deleted>{SS}/folder/:sc:1234:1</deleted>"
                      f"<magicBriefcase>{SS}/folder/:sc:1234:2</magicBriefcase></user>")
    if p == "/user/1234/folders/contents":
        return ss_xml('<collectionContents start="0" hasMore="false" end="1">' + ss_coll("dir", f"{SS}/folder/:sc:1234:101")
                      + ss_coll("emptydir", f"{SS}/folder/:sc:1234:102") + "</collectionContents>")
    if p == "/folder/:sc:1234:101/contents":
        files = ss_file("g.bin" if state.get("moved") else "f.bin", f"{SS}/file/:sc:1234:201")
        if state.get("uploaded"):
            files += ss_file("up.bin", f"{SS}/file/:sc:1234:202")
        return ss_xml('<collectionContents start="0" hasMore="false" end="0">' + files + "</collectionContents>")
    if p.endswith("/contents"):
        return ss_xml('<collectionContents start="0" hasMore="false" end="0"></collectionContents>')
    if p.startswith("/file/") and p.endswith("/data"):
        if req.method == "PUT":
            state["uploaded"] = True
            return Response(204, b"")
        return Response(200, b"\x5a" * 65536, content_type="application/octet-stream")
    if req.method == "POST" and (p.startswith("/folder/") or p.startswith("/user/1234/folders")):
        if b"<file>" in req.body:
            return Response(201, b"", headers={"Location": f"{SS}/file/:sc:1234:202"})
        return Response(201, b"", headers={"Location": f"{SS}/folder/:sc:1234:103"})
    if req.method == "PUT" and p.startswith("/file/"):
        if b"g.bin" in req.body:
            state["moved"] = True
        return ss_xml(f"<file><displayName>g.bin</displayName><size>65536</size><lastModified>{SST}</lastModified></file>")
    if req.method == "DELETE":
        return Response(204, b"")
    if req.method == "GET" and p.startswith("/file/"):
        return ss_xml(ss_file("f.bin", SS + p))
    return None


def sugarsync_route(req, fault, state):
    _, kind = _split(fault)
    if kind.startswith("refresh_"):
        if req.path == "/authorization":
            return (ss_html(401, "Invalid refresh token. The application authorization has been revoked.")
                    if kind == "refresh_invalid" else ss_html(500, "An internal server error occurred."))
        return sugarsync_ok(req, state)
    setup = req.path in ("/user", "/user/1234/folders/contents", "/authorization")
    if fault.endswith("_op"):
        setup = setup or (req.method == "GET" and req.path.endswith("/contents"))
    if kind.endswith("_init"):
        kind, setup = kind[:-5], req.path != "/user"
    if setup:
        return sugarsync_ok(req, state)
    if kind in ("conflict409", "badreq400") and not (req.method in ("POST", "PUT") and not req.path.endswith("/data")):
        return sugarsync_ok(req, state)
    if kind == "quota" and not (req.method == "PUT" and req.path.endswith("/data")):
        return sugarsync_ok(req, state)
    if kind in SS_FAULT:
        return SS_FAULT[kind]()
    t = transport(kind, b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><collectionContents start="0" hasMore="false" end="0"><file><displayName>f.b')
    if t is not None:
        return t
    return sugarsync_ok(req, state)


def route(req, fault, state):
    backend, _ = _split(fault)
    ans = {"putio": putio_route, "fichier": fichier_route, "uptobox": uptobox_route,
           "filefabric": filefabric_route, "sugarsync": sugarsync_route}[backend](req, fault, state)
    if ans is None:
        state.setdefault("unrouted", []).append(repr(req))
        return Response(418, {"error": f"fake has no route for {req.method} {req.host}{req.path}"})
    return ans


def override(message, fault, code):
    if "fake has no route" in message:
        return None, "harness: request the fake did not route"
    base = fault[:-3] if fault.endswith("_op") else fault
    if "is a directory or doesn't exist" in message or message.endswith("object not found") \
            or message.endswith("directory not found"):
        if code != "not_found":
            return "not_found", (f"fault {base} ({code}) made rclone's look-up fail and rclone reports the object as "
                                 "missing; the text only says not found")
    if base == "putio_quota" and "(400)" in message:
        return "validation_error", ("quota fault: rclone's put.io backend prints only the status code (400), never "
                                    "the NOT_ENOUGH_SPACE body, so the text reads as a plain bad request")
    if base == "uptobox_premium" and "cannot unmarshal string" in message:
        return "unknown", ("premium-required fault: Uptobox's error body has data as a string and rclone fails to "
                           "decode it into UploadInfo, so the text shows only a JSON decode error")
    if base == "uptobox_exists" and "An error occured" in message and "already exists" not in message:
        return "unknown", ("exists fault: rclone prints only Uptobox's generic message 'An error occured', not the "
                           "data field that says the name already exists")
    if "couldn't find ID for newly created directory" in message:
        return "unknown", (f"fault {base}: the fake's 2xx answer to the create call carried no Location header, so "
                           "rclone could not find the new folder; the text shows only that consequence")
    return code, None
