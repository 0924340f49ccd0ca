"""Loopback fakes of Google Drive (v3), Google Cloud Storage (JSON API v1) and Google Photos (Library API v1) for
rclone 1.60.1, plus Google's OAuth token endpoint. Error bodies follow Google's JSON error format
{"error": {"code", "message", "errors": [{"domain","reason","message",...}], "status"}} with the reason codes and
messages the Drive "Resolve errors" guide and the Cloud Storage "HTTP status and error codes for JSON" page document.
They were written for these fakes, not captured from Google's servers."""
import base64, hashlib, json, re, urllib.parse

from mitm import Response, Reset, Close, Hang, Partial, Raw

# ---------------------------------------------------------------------------------------------------------------
# Remotes
FUTURE = "2099-01-01T00:00:00Z"
PAST = "2020-01-01T00:00:00Z"


def _tok(expiry):
    return json.dumps({"access_token": "ya29.a0AfB_byC-fake-loopback-token", "token_type": "Bearer",
                       "refresh_token": "1//0gLoopbackFakeRefreshTokenCgYIARAAGBASNwF", "expiry": expiry})


REMOTES = {
    "gdrive": {"type": "drive", "scope": "drive", "token": _tok(FUTURE)},
    "gdrive_exp": {"type": "drive", "scope": "drive", "token": _tok(PAST)},
    "gcs": {"type": "google cloud storage", "project_number": "123456789012", "bucket_policy_only": "true",
            "token": _tok(FUTURE)},
    "gcs_exp": {"type": "google cloud storage", "project_number": "123456789012", "bucket_policy_only": "true",
                "token": _tok(PAST)},
    "gphotos": {"type": "google photos", "read_only": "false", "token": _tok(FUTURE)},
    "gphotos_exp": {"type": "google photos", "read_only": "false", "token": _tok(PAST)},
}

# ---------------------------------------------------------------------------------------------------------------
# Google error bodies


def gerr(code, message, reason=None, domain="global", status=None, extra=None, headers=None):
    err = {"code": code, "message": message}
    if reason:
        item = {"message": message, "domain": domain, "reason": reason}
        item.update(extra or {})
        err["errors"] = [item]
    if status:
        err["status"] = status
    return Response(code, {"error": err}, headers=headers, content_type="application/json; charset=UTF-8")


AUTH_MSG = ("Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
            "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.")

HTML_502 = ("<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <meta name=viewport content=\"initial-scale=1, "
            "minimum-scale=1, width=device-width\">\n  <title>Error 502 (Server Error)!!1</title>\n  <a href=//www.google.com/>"
            "<span id=logo aria-label=Google></span></a>\n  <p><b>502.</b> <ins>That\u2019s an error.</ins>\n  <p>The server "
            "encountered a temporary error and could not complete your request.<p>Please try again in 30 seconds.  "
            "<ins>That\u2019s all we know.</ins>\n")

# token endpoint answers (RFC 6749 section 5.2 bodies in Google's words)
TOKEN_FAULTS = {
    "token_invalid_grant": lambda: Response(400, {"error": "invalid_grant",
                                                  "error_description": "Token has been expired or revoked."}),
    "token_invalid_client": lambda: Response(401, {"error": "invalid_client",
                                                   "error_description": "The OAuth client was not found."}),
    "token_unauthorized_client": lambda: Response(401, {"error": "unauthorized_client",
                                                        "error_description": "Unauthorized"}),
    "token_500": lambda: Response(500, {"error": "internal_failure",
                                        "error_description": "Backend Error"}),
    "token_503": lambda: Response(503, {"error": "temporarily_unavailable",
                                        "error_description": "The service is currently unavailable."}),
}

# ---------------------------------------------------------------------------------------------------------------
# Faults.  fault -> code (labelling-brief.md), fixed before any run.  SPEC: fault -> (scope, answer(backend, req))
# scopes: op (everything except the look-ups that lead to the operation), init (everything, so file-system creation
# fails), token (expired token; the token endpoint answers the fault), download, upload, mutate (non-GET calls)

FAULTS = {}
SPEC = {}


def fault(name, code, scope, answer, backends=("drive", "gcs", "gphotos")):
    FAULTS[name] = code
    SPEC[name] = (scope, answer, backends)


# --- credentials
fault("auth401", "invalid_credentials", "op",
      lambda b, r: gerr(401, AUTH_MSG, "authError", status="UNAUTHENTICATED",
                        extra={"location": "Authorization", "locationType": "header"}))
fault("auth401_init", "invalid_credentials", "init",
      lambda b, r: gerr(401, AUTH_MSG, "authError", status="UNAUTHENTICATED",
                        extra={"location": "Authorization", "locationType": "header"}), backends=("drive", "gcs", "gphotos"))
fault("auth401_legacy", "invalid_credentials", "op",
      lambda b, r: gerr(401, "Invalid Credentials", "authError",
                        extra={"location": "Authorization", "locationType": "header"}), backends=("drive", "gcs"))
fault("login_required", "invalid_credentials", "op",
      lambda b, r: gerr(401, "Login Required", "required",
                        extra={"location": "Authorization", "locationType": "header"}), backends=("gcs",))
for _t in TOKEN_FAULTS:
    fault(_t, {"token_503": "rate_limited"}.get(_t, "invalid_credentials"), "token",
          (lambda t: lambda b, r: TOKEN_FAULTS[t]())(_t))

# --- permissions


def _perm(b, r):
    if b == "drive" and r.path == "/drive/v3/about":
        return gerr(403, "Request had insufficient authentication scopes.", "insufficientPermissions",
                    status="PERMISSION_DENIED")
    if b == "drive":
        fid = _drive_id(r) or "1dIrAbCdEfGhIjKlMnOpQrStUvWxYz012"
        return gerr(403, f"The user does not have sufficient permissions for file {fid}.",
                    "insufficientFilePermissions", status="PERMISSION_DENIED")
    if b == "gcs":
        perm = _gcs_perm(r)
        return gerr(403, f"rclone-sa@corpus-loopback.iam.gserviceaccount.com does not have {perm} access to the "
                         f"Google Cloud Storage bucket. Permission '{perm}' denied on resource (or it may not exist).",
                    "forbidden")
    return gerr(403, "Request had insufficient authentication scopes.", "insufficientPermissions",
                status="PERMISSION_DENIED")


fault("perm403", "access_denied", "op", _perm)
fault("perm403_init", "access_denied", "init", _perm, backends=("drive",))
fault("app_not_authorized", "access_denied", "op",
      lambda b, r: gerr(403, f"The user has not granted the app 202264815644 write access to the file "
                             f"{_drive_id(r) or '1dIrAbCdEfGhIjKlMnOpQrStUvWxYz012'}.", "appNotAuthorizedToFile",
                        extra={"location": "Authorization", "locationType": "header"}), backends=("drive",))
fault("domain_policy", "access_denied", "init",
      lambda b, r: gerr(403, "The domain administrators have disabled Drive apps.", "domainPolicy"),
      backends=("drive",))
fault("abusive_file", "access_denied", "download",
      lambda b, r: gerr(403, "This file has been identified as malware or spam and cannot be downloaded.",
                        "cannotDownloadAbusiveFile"), backends=("drive",))
fault("gcs_billing_disabled", "access_denied", "op",
      lambda b, r: gerr(403, "The billing account for the owning project is disabled in state closed",
                        "accountDisabled", domain="global",
                        extra={"locationType": "header", "location": "Authorization"}), backends=("gcs",))
fault("photos_scope", "access_denied", "init",
      lambda b, r: gerr(403, "Request had insufficient authentication scopes.", status="PERMISSION_DENIED"),
      backends=("gphotos",))

# --- rate limiting / unavailable
fault("user_rate_limit", "rate_limited", "op",
      lambda b, r: gerr(403, "User rate limit exceeded.", "userRateLimitExceeded", domain="usageLimits",
                        status="PERMISSION_DENIED"), backends=("drive",))
fault("rate_limit_403", "rate_limited", "op",
      lambda b, r: gerr(403, "Rate Limit Exceeded", "rateLimitExceeded", domain="usageLimits"), backends=("drive",))
fault("rate_limit_429", "rate_limited", "op",
      lambda b, r: gerr(429, "Rate Limit Exceeded", "rateLimitExceeded", domain="usageLimits",
                        status="RESOURCE_EXHAUSTED"), backends=("drive",))
fault("rate_limit_429_retry_after", "rate_limited", "op",
      lambda b, r: gerr(429, "Rate Limit Exceeded", "rateLimitExceeded", domain="usageLimits",
                        status="RESOURCE_EXHAUSTED", headers={"Retry-After": "30"}), backends=("drive",))
fault("quota_metric_429", "rate_limited", "op",
      lambda b, r: gerr(429, "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of "
                             "service 'drive.googleapis.com' for consumer 'project_number:202264815644'.",
                        "rateLimitExceeded", domain="usageLimits", status="RESOURCE_EXHAUSTED"), backends=("drive",))
fault("gcs_object_rate", "rate_limited", "mutate",
      lambda b, r: gerr(429, "The object corpus-bkt/dir/f.bin exceeded the rate limit for object mutation operations "
                             "(create, update, and delete). Please reduce your request rate. See "
                             "https://cloud.google.com/storage/docs/gcs429.", "rateLimitExceeded",
                        domain="usageLimits"), backends=("gcs",))
fault("gcs_429", "rate_limited", "op",
      lambda b, r: gerr(429, "The rate of change requests to the bucket corpus-bkt exceeds the rate limit. Please "
                             "reduce the rate of create, update, and delete requests.", "rateLimitExceeded",
                        domain="usageLimits"), backends=("gcs",))
fault("gcs_429_retry_after", "rate_limited", "op",
      lambda b, r: gerr(429, "The project exceeded the rate limit for CreateBucket/DeleteBucket/UpdateBucket "
                             "operations.", "rateLimitExceeded", domain="usageLimits",
                        headers={"Retry-After": "20"}), backends=("gcs",))
fault("photos_429", "rate_limited", "op",
      lambda b, r: gerr(429, "Quota exceeded for quota metric 'All requests' and limit 'All requests per minute per "
                             "user' of service 'photoslibrary.googleapis.com' for consumer "
                             "'project_number:202264815644'.", status="RESOURCE_EXHAUSTED"), backends=("gphotos",))
fault("unavailable503", "rate_limited", "op",
      lambda b, r: gerr(503, "The service is currently unavailable.", "backendError", status="UNAVAILABLE"))
fault("unavailable503_retry_after", "rate_limited", "op",
      lambda b, r: gerr(503, "The service is currently unavailable.", "backendError", status="UNAVAILABLE",
                        headers={"Retry-After": "15"}), backends=("drive", "gcs"))
fault("backend500", "unknown", "op",
      lambda b, r: gerr(500, "Backend Error", "backendError"), backends=("drive",))
fault("internal500", "unknown", "op",
      lambda b, r: gerr(500, "Internal error encountered.", status="INTERNAL"), backends=("drive", "gphotos"))
fault("gcs_internal500", "rate_limited", "op",
      lambda b, r: gerr(500, "We encountered an internal error. Please try again.", "backendError"),
      backends=("gcs",))

# --- not found / conflicts / invalid


def _not_found(b, r):
    if b == "drive":
        return gerr(404, f"File not found: {_drive_id(r) or '.'}.", "notFound",
                    extra={"locationType": "parameter", "location": "fileId"})
    if b == "gcs":
        bucket, obj = _gcs_target(r)
        if obj:
            return gerr(404, f"No such object: {bucket}/{obj}", "notFound")
        return gerr(404, "The specified bucket does not exist.", "notFound")
    return gerr(404, "Requested entity was not found.", status="NOT_FOUND")


fault("not_found", "not_found", "op", _not_found)
fault("not_found_download", "not_found", "download", _not_found, backends=("drive", "gcs"))
fault("precondition412", "conflict", "mutate",
      lambda b, r: gerr(412, "Precondition Failed", "conditionNotMet",
                        extra={"locationType": "header", "location": "If-Match"}), backends=("drive", "gcs"))
fault("gcs_bucket_exists", "conflict", "mutate",
      lambda b, r: gerr(409, "Your previous request to create the named bucket succeeded and you already own it.",
                        "conflict"), backends=("gcs",))
fault("gcs_bucket_not_empty", "conflict", "mutate",
      lambda b, r: gerr(409, "The bucket you tried to delete is not empty.", "conflict"), backends=("gcs",))
fault("invalid_value", "validation_error", "op",
      lambda b, r: gerr(400, "Invalid Value", "invalid", extra={"locationType": "parameter", "location": "q"}),
      backends=("drive",))
fault("invalid_parent", "validation_error", "mutate",
      lambda b, r: gerr(400, "The parents field must not contain more than one parent.", "badRequest"),
      backends=("drive",))
fault("gcs_invalid_name", "validation_error", "mutate",
      lambda b, r: gerr(400, "Invalid bucket name: 'new_Bkt!'", "invalid"), backends=("gcs",))
fault("gcs_required", "validation_error", "mutate",
      lambda b, r: gerr(400, "Required", "required"), backends=("gcs",))
fault("photos_invalid", "validation_error", "op",
      lambda b, r: gerr(400, "Request contains an invalid argument.", status="INVALID_ARGUMENT"),
      backends=("gphotos",))

# --- quota (storage full: code unknown per the brief)
fault("storage_quota", "unknown", "upload",
      lambda b, r: gerr(403, "The user's Drive storage quota has been exceeded.", "storageQuotaExceeded",
                        status="PERMISSION_DENIED"), backends=("drive",))
fault("team_drive_file_limit", "unknown", "mutate",
      lambda b, r: gerr(403, "The file limit for this shared drive has been exceeded.", "teamDriveFileLimitExceeded"),
      backends=("drive",))
fault("photos_quota", "unknown", "upload",
      lambda b, r: gerr(400, "Request failed due to storage quota exceeded.", status="FAILED_PRECONDITION"),
      backends=("gphotos",))

# --- transport
fault("bad_gateway_html", "network_error", "op",
      lambda b, r: Response(502, HTML_502, content_type="text/html; charset=UTF-8"))
fault("gateway_timeout", "upstream_timeout", "op",
      lambda b, r: gerr(504, "Deadline expired before operation could complete.", status="DEADLINE_EXCEEDED"))
fault("reset", "network_error", "op", lambda b, r: Reset())
fault("reset_init", "network_error", "init", lambda b, r: Reset(), backends=("drive",))
fault("close", "network_error", "op", lambda b, r: Close())
fault("hang", "upstream_timeout", "op", lambda b, r: Hang(20))
fault("hang_init", "upstream_timeout", "init", lambda b, r: Hang(20), backends=("drive",))
fault("partial_body", "network_error", "op", lambda b, r: "PARTIAL")
fault("truncated_json", "unknown", "op", lambda b, r: "TRUNCATED")
fault("garbled_json", "unknown", "op", lambda b, r: "GARBLED")
fault("upload_limit_stop", "rate_limited", "upload",
      lambda b, r: gerr(403, "User rate limit exceeded.", "userRateLimitExceeded", domain="usageLimits"),
      backends=("drive",))
fault("gcs_requester_pays", "validation_error", "op",
      lambda b, r: gerr(400, "Bucket is a requester pays bucket but no user project provided.", "required"),
      backends=("gcs",))
fault("gcs_retention", "conflict", "mutate",
      lambda b, r: gerr(403, "Object 'corpus-bkt/dir/f.bin' is subject to bucket's retention policy or object "
                             "retention and cannot be deleted or overwritten until 2027-06-01T00:00:00.000000Z",
                        "retentionPolicyNotMet"), backends=("gcs",))
fault("drive_rmdir_not_empty", "conflict", "none", lambda b, r: None, backends=("drive",))
fault("cert_self_signed", "network_error", "init", None)
fault("cert_expired", "network_error", "init", None)
fault("cert_wrong_host", "network_error", "init", None)

CERT_MODE = {"cert_self_signed": "self_signed", "cert_expired": "expired", "cert_wrong_host": "wrong_host"}

# ---------------------------------------------------------------------------------------------------------------
# Scenarios

DRIVE_CMDS = [
    ("lsjson", ["lsjson", "{R}:dir"]),
    ("lsd", ["lsd", "{R}:"]),
    ("upload", ["copyto", "{src}", "{R}:dir/f.bin"]),
    ("download", ["copyto", "{R}:dir/f.bin", "{tmp}/f.bin"]),
    ("cat", ["cat", "{R}:dir/f.bin"]),
    ("mkdir", ["mkdir", "{R}:newdir"]),
    ("rmdir", ["rmdir", "{R}:emptydir"]),
    ("rmdir_full", ["rmdir", "{R}:dir"]),
    ("upload_stop", ["copyto", "{src}", "{R}:dir/f.bin", "--drive-stop-on-upload-limit"]),
    ("deletefile", ["deletefile", "{R}:dir/f.bin"]),
    ("moveto", ["moveto", "{R}:dir/f.bin", "{R}:dir/g.bin"]),
    ("size", ["size", "{R}:dir"]),
    ("about", ["about", "{R}:"]),
    ("purge", ["purge", "{R}:dir"]),
]
GCS_CMDS = [
    ("lsjson", ["lsjson", "{R}:corpus-bkt/dir"]),
    ("lsd", ["lsd", "{R}:"]),
    ("upload", ["copyto", "{src}", "{R}:corpus-bkt/dir/f.bin"]),
    ("download", ["copyto", "{R}:corpus-bkt/dir/f.bin", "{tmp}/f.bin"]),
    ("cat", ["cat", "{R}:corpus-bkt/dir/f.bin"]),
    ("mkdir", ["mkdir", "{R}:new-bkt"]),
    ("rmdir", ["rmdir", "{R}:empty-bkt"]),
    ("rmdir_full", ["rmdir", "{R}:corpus-bkt"]),
    ("deletefile", ["deletefile", "{R}:corpus-bkt/dir/f.bin"]),
    ("moveto", ["moveto", "{R}:corpus-bkt/dir/f.bin", "{R}:corpus-bkt/dir/g.bin"]),
    ("size", ["size", "{R}:corpus-bkt/dir"]),
    ("purge", ["purge", "{R}:corpus-bkt/dir"]),
]
PHOTOS_CMDS = [
    ("lsd", ["lsd", "{R}:album"]),
    ("lsjson", ["lsjson", "{R}:album/Holiday"]),
    ("upload", ["copyto", "{src}", "{R}:album/Holiday/f.jpg"]),
    ("download", ["copyto", "{R}:album/Holiday/p.jpg", "{tmp}/p.jpg"]),
    ("mkdir", ["mkdir", "{R}:album/NewAlbum"]),
]

# which commands make sense for the narrow scopes
SCOPE_CMDS = {
    "download": {"download", "cat"},
    "upload": {"upload"},
    "mutate": {"upload", "mkdir", "rmdir", "rmdir_full", "deletefile", "moveto", "purge"},
    "init": {"lsd", "lsjson", "upload", "download", "about", "mkdir"},
    "token": {"lsd", "upload", "download", "about"},
}
ONLY_CMDS = {"drive_rmdir_not_empty": {"rmdir_full"}, "upload_limit_stop": {"upload_stop"},
             "gcs_retention": {"upload", "deletefile", "moveto"}, "gcs_bucket_exists": {"mkdir"}, "gcs_bucket_not_empty": {"rmdir_full"}, "gcs_invalid_name": {"mkdir"},
             "gcs_required": {"upload", "moveto"}, "cert_self_signed": {"lsd", "upload"},
             "cert_expired": {"lsd", "download"}, "cert_wrong_host": {"lsd", "about"}}


# Go's google-api-go-client (gensupport) retries media uploads on 429/5xx with backoff until the context ends, so
# rclone never prints an error for them within run.py's 60 s: these faults skip the upload command on drive/gcs.
UPLOAD_RETRIED = {"rate_limit_429", "rate_limit_429_retry_after", "quota_metric_429", "gcs_object_rate", "gcs_429",
                  "gcs_429_retry_after", "unavailable503", "unavailable503_retry_after", "backend500", "internal500",
                  "gcs_internal500", "bad_gateway_html", "gateway_timeout", "reset", "hang"}


def scenarios():
    out = []
    for backend, remote, cmds in (("drive", "gdrive", DRIVE_CMDS), ("gcs", "gcs", GCS_CMDS),
                                  ("gphotos", "gphotos", PHOTOS_CMDS)):
        for name in FAULTS:
            scope, _, backends = SPEC[name]
            if backend not in backends:
                continue
            r = remote + "_exp" if scope == "token" else remote
            for cname, argv in cmds:
                if name in ONLY_CMDS:
                    if cname not in ONLY_CMDS[name]:
                        continue
                elif scope in SCOPE_CMDS and cname not in SCOPE_CMDS[scope]:
                    continue
                if cname in ("rmdir_full", "upload_stop") and name not in ONLY_CMDS:
                    continue
                if backend in ("drive", "gcs") and cname == "upload" and name in UPLOAD_RETRIED:
                    continue
                out.append((backend, r, name, cname, [a.replace("{R}", r) for a in argv]))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Shared helpers

CONTENT = bytes((i * 7 + 3) % 251 for i in range(65536))
MD5_HEX = hashlib.md5(CONTENT).hexdigest()
MD5_B64 = base64.b64encode(hashlib.md5(CONTENT).digest()).decode()
MTIME = "2026-11-20T10:15:30.000Z"


def _multipart_media(req):
    """The media part of a multipart/related upload (the last part)."""
    ctype = req.headers.get("Content-Type", "")
    m = re.search(r'boundary="?([^";]+)"?', ctype)
    if not m:
        return req.body
    parts = req.body.split(b"--" + m.group(1).encode())
    media = [p for p in parts if p.strip() not in (b"", b"--")]
    if not media:
        return b""
    last = media[-1]
    body = last.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in last else last
    return body[:-2] if body.endswith(b"\r\n") else body


def _media_body(req):
    data = _multipart_media(req)
    return data


def _fault_answer(spec_answer, backend, req, good):
    ans = spec_answer(backend, req)
    if ans == "PARTIAL":
        body = good.body if isinstance(good, Response) and good.body else CONTENT
        hdrs = {"Content-Type": good.headers.get("Content-Type", "application/json")} if isinstance(good, Response) else {}
        return Partial(200, body[: max(1, len(body) // 3)], declared_length=len(body) + 4096, headers=hdrs)
    if ans == "TRUNCATED":
        body = good.body if isinstance(good, Response) and good.body else b'{"kind": "x"}'
        if not body.lstrip().startswith(b"{"):
            body = b'{"error": {"code": 500, "message": "Backend Error", "errors": [{"domain": "global", "reas'
            return Response(500, body[:], content_type="application/json; charset=UTF-8")
        return Response(200, body[: max(1, len(body) // 2)], content_type="application/json; charset=UTF-8")
    if ans == "GARBLED":
        if isinstance(good, Response) and good.body and good.body.lstrip().startswith(b"{"):
            return Response(200, b")]}'\n{\"kind\": \"drive#fileList\", \"files\": [{\"id\": 1dI",
                            content_type="application/json; charset=UTF-8")
        return Response(500, b"<html><body>)]}'\n{\"error\": {\"code\": 500,, \"message\"", content_type="application/json; charset=UTF-8")
    return ans


def _token_endpoint(req, fault):
    scope = SPEC.get(fault, ("",))[0] if fault else ""
    if scope == "token":
        return TOKEN_FAULTS[fault]()
    return Response(200, {"access_token": "ya29.a0AfB_byC-fake-refreshed", "expires_in": 3599,
                          "scope": "https://www.googleapis.com/auth/drive", "token_type": "Bearer"})


def route(req, fault, state):
    host = req.host.split(":")[0]
    if host in ("oauth2.googleapis.com", "accounts.google.com", "www.googleapis.com") and \
            req.path in ("/token", "/o/oauth2/token", "/oauth2/v4/token"):
        return _token_endpoint(req, fault)
    if host == "www.googleapis.com":
        backend, good_fn, kind_fn = "drive", _drive_good, _drive_kind
    elif host == "storage.googleapis.com":
        backend, good_fn, kind_fn = "gcs", _gcs_good, _gcs_kind
    elif host == "photoslibrary.googleapis.com" or host.endswith(".googleusercontent.com"):
        backend, good_fn, kind_fn = "gphotos", _photos_good, _photos_kind
    else:
        return Response(404, f"fake: unknown host {host}", content_type="text/plain")
    good = good_fn(req, state)
    if fault and SPEC.get(fault) and SPEC[fault][1] is not None and SPEC[fault][0] != "none":
        scope, answer, backends = SPEC[fault]
        kind = kind_fn(req)  # "lookup" (leads to the operation), "list", "download", "upload", "mutate", "other"
        hit = False
        if scope == "init":
            hit = True
        elif scope == "op":
            hit = kind != "lookup"
        elif scope == "download":
            hit = kind == "download"
        elif scope == "upload":
            hit = kind == "upload"
        elif scope == "mutate":
            hit = kind in ("upload", "mutate")
        if hit:
            state["hits"] = state.get("hits", 0) + 1
            return _fault_answer(answer, backend, req, good)
    return good


# ---------------------------------------------------------------------------------------------------------------
# Drive v3 (www.googleapis.com/drive/v3, /upload/drive/v3)

FOLDER = "application/vnd.google-apps.folder"
ROOT_ID = "0AFlOOpbAcKrOotUk9PVA"
DRIVE_TREE = {
    "1dIrAbCdEfGhIjKlMnOpQrStUvWxYz012": {"name": "dir", "parent": ROOT_ID, "folder": True},
    "1eMpTyDiRaBcDeFgHiJkLmNoPqRsTuV34": {"name": "emptydir", "parent": ROOT_ID, "folder": True},
    "1fIlEbInAbCdEfGhIjKlMnOpQrStUvW56": {"name": "f.bin", "parent": "1dIrAbCdEfGhIjKlMnOpQrStUvWxYz012",
                                          "folder": False},
}


def _drive_id(req):
    m = re.match(r"^/(?:upload/)?drive/v3/files/([^/]+)", req.path)
    if m:
        return m.group(1)
    m = re.search(r"'([^']+)' in parents", req.arg("q", "") or "")
    if m:
        return m.group(1)
    if req.method == "POST" and req.path == "/drive/v3/files":
        return ((req.json() or {}).get("parents") or [None])[0]
    return None


def _drive_file(fid, info, md5=MD5_HEX, size=len(CONTENT)):
    d = {"id": fid, "name": info["name"], "mimeType": FOLDER if info["folder"] else "application/octet-stream",
         "parents": [info["parent"]], "modifiedTime": MTIME, "createdTime": MTIME, "trashed": False,
         "kind": "drive#file"}
    if not info["folder"]:
        d.update(size=str(size), md5Checksum=md5)
    return d


def _drive_kind(req):
    p = req.path
    if p.startswith("/upload/"):
        return "upload"
    if req.method == "GET" and p == "/drive/v3/files/root":
        return "lookup"
    if req.method == "GET" and p == "/drive/v3/files":
        q = req.arg("q", "") or ""
        return "lookup" if "name=" in q else "list"
    if req.method == "GET" and req.arg("alt") == "media":
        return "download"
    if req.method == "GET":
        return "other"
    return "mutate"


def _drive_good(req, state):
    p, m = req.path, req.method
    if m == "GET" and p == "/drive/v3/files/root":
        return Response(200, {"id": ROOT_ID})
    if m == "GET" and p == "/drive/v3/about":
        return Response(200, {"storageQuota": {"limit": "16106127360", "usage": "5368709120",
                                               "usageInDrive": "4294967296", "usageInDriveTrash": "0"},
                              "exportFormats": {}, "importFormats": {}})
    if m == "GET" and p == "/drive/v3/files":
        q = req.arg("q", "") or ""
        parent = re.search(r"'([^']+)' in parents", q)
        names = re.findall(r"name='((?:[^'\\]|\\.)*)'", q)
        files = []
        for fid, info in DRIVE_TREE.items():
            if parent and info["parent"] != parent.group(1):
                continue
            if names and info["name"] not in names:
                continue
            if f"mimeType='{FOLDER}'" in q and not info["folder"]:
                continue
            if f"mimeType!='{FOLDER}'" in q and info["folder"]:
                continue
            files.append(_drive_file(fid, info))
        return Response(200, {"kind": "drive#fileList", "incompleteSearch": False, "files": files})
    mm = re.match(r"^/drive/v3/files/([^/]+)$", p)
    if m == "GET" and mm:
        fid = mm.group(1)
        if req.arg("alt") == "media":
            if fid in DRIVE_TREE and not DRIVE_TREE[fid]["folder"]:
                return Response(200, CONTENT, content_type="application/octet-stream")
        elif fid in DRIVE_TREE:
            return Response(200, _drive_file(fid, DRIVE_TREE[fid]))
        return gerr(404, f"File not found: {fid}.", "notFound",
                    extra={"locationType": "parameter", "location": "fileId"})
    if m == "POST" and p == "/drive/v3/files":
        meta = req.json() or {}
        info = {"name": meta.get("name", "new"), "parent": (meta.get("parents") or [ROOT_ID])[0],
                "folder": meta.get("mimeType") == FOLDER}
        return Response(200, _drive_file("1nEwFoLdErAbCdEfGhIjKlMnOpQrS78", info))
    if m in ("POST", "PATCH") and p.startswith("/upload/drive/v3/files"):
        data = _media_body(req)
        name = "f.bin"
        try:
            meta = json.loads(req.body.split(b"\r\n\r\n", 1)[1].split(b"\r\n--", 1)[0])
            name = meta.get("name", name)
        except Exception:
            pass
        info = {"name": name, "parent": "1dIrAbCdEfGhIjKlMnOpQrStUvWxYz012", "folder": False}
        return Response(200, _drive_file("1fIlEbInAbCdEfGhIjKlMnOpQrStUvW56", info,
                                         md5=hashlib.md5(data).hexdigest(), size=len(data)))
    if m == "PATCH" and mm:
        fid = mm.group(1)
        info = dict(DRIVE_TREE.get(fid, {"name": "x", "parent": ROOT_ID, "folder": False}))
        meta = req.json() or {}
        if meta.get("name"):
            info["name"] = meta["name"]
        d = _drive_file(fid, info)
        if meta.get("trashed"):
            d["trashed"] = True
        return Response(200, d)
    if m == "DELETE" and mm:
        return Response(204, b"")
    return gerr(400, "Invalid Value", "invalid")


# ---------------------------------------------------------------------------------------------------------------
# Cloud Storage JSON API v1 (storage.googleapis.com/storage/v1, /upload/storage/v1, /download/storage/v1)

GCS_BUCKETS = {"corpus-bkt": ["dir/f.bin", "dir/sub/h.bin"], "empty-bkt": []}


def _gcs_obj(bucket, name, data=CONTENT):
    q = urllib.parse.quote(name, safe="")
    md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
    return {"kind": "storage#object", "id": f"{bucket}/{name}/1732097730000000",
            "selfLink": f"https://www.googleapis.com/storage/v1/b/{bucket}/o/{q}",
            "mediaLink": f"https://storage.googleapis.com/download/storage/v1/b/{bucket}/o/{q}?generation=1732097730000000&alt=media",
            "name": name, "bucket": bucket, "generation": "1732097730000000", "metageneration": "1",
            "contentType": "application/octet-stream", "storageClass": "STANDARD", "size": str(len(data)),
            "md5Hash": md5, "crc32c": "AAAAAA==", "etag": "CICw+6KgpIkDEAE=", "timeCreated": MTIME,
            "updated": MTIME, "timeStorageClassUpdated": MTIME, "metadata": {"mtime": "2026-11-20T10:15:30Z"}}


def _gcs_bucket(name):
    return {"kind": "storage#bucket", "selfLink": f"https://www.googleapis.com/storage/v1/b/{name}", "id": name,
            "name": name, "projectNumber": "123456789012", "metageneration": "1", "location": "US",
            "storageClass": "STANDARD", "etag": "CAE=", "timeCreated": MTIME, "updated": MTIME,
            "iamConfiguration": {"bucketPolicyOnly": {"enabled": True}, "uniformBucketLevelAccess": {"enabled": True},
                                 "publicAccessPrevention": "inherited"}, "locationType": "multi-region"}


def _gcs_target(req):
    rp = req.raw_path
    m = re.match(r"^/(?:upload/|download/)?storage/v1/b/([^/]+)(?:/o(?:/([^/]+))?)?", rp)
    if not m:
        return None, None
    bucket = urllib.parse.unquote(m.group(1))
    obj = urllib.parse.unquote(m.group(2)) if m.group(2) else (req.arg("name") if "/upload/" in rp else None)
    return bucket, obj


def _gcs_perm(req):
    rp, m = req.raw_path, req.method
    if "/upload/" in rp:
        return "storage.objects.create"
    if "/download/" in rp or req.arg("alt") == "media":
        return "storage.objects.get"
    if "/rewriteTo/" in rp:
        return "storage.objects.create"
    if re.match(r"^/storage/v1/b/?$", rp):
        return "storage.buckets.create" if m == "POST" else "storage.buckets.list"
    if re.match(r"^/storage/v1/b/[^/]+/o/?$", rp):
        return "storage.objects.list"
    if re.match(r"^/storage/v1/b/[^/]+/o/.+", rp):
        return "storage.objects.delete" if m == "DELETE" else "storage.objects.get"
    if m == "DELETE":
        return "storage.buckets.delete"
    return "storage.buckets.get"


def _gcs_kind(req):
    rp, m = req.raw_path, req.method
    if "/upload/" in rp:
        return "upload"
    if "/download/" in rp or req.arg("alt") == "media":
        return "download"
    if m == "GET" and re.match(r"^/storage/v1/b/[^/]+/o/[^/]+$", rp):
        return "lookup"     # object metadata: rclone's is-it-a-file probe and NewObject
    if m == "GET" and (re.match(r"^/storage/v1/b/new-bkt/o/?$", rp) or req.arg("maxResults") == "1"):
        return "lookup"     # makeBucket's does-it-exist probe (Objects.List MaxResults(1))
    if m == "GET":
        return "list"
    return "mutate"


def _gcs_good(req, state):
    rp, m = req.raw_path, req.method
    bucket, obj = _gcs_target(req)
    if m == "GET" and re.match(r"^/storage/v1/b/?$", rp):
        return Response(200, {"kind": "storage#buckets", "items": [_gcs_bucket(b) for b in GCS_BUCKETS]})
    if m == "POST" and re.match(r"^/storage/v1/b/?$", rp):
        meta = req.json() or {}
        return Response(200, _gcs_bucket(meta.get("name", "new-bkt")))
    if m == "DELETE" and re.match(r"^/storage/v1/b/[^/]+/?$", rp):
        if GCS_BUCKETS.get(bucket):
            return gerr(409, "The bucket you tried to delete is not empty.", "conflict")
        return Response(204, b"")
    if bucket not in GCS_BUCKETS:
        return gerr(404, "The specified bucket does not exist.", "notFound")
    if "/upload/" in rp:
        data = _media_body(req)
        name = req.arg("name") or obj or "dir/f.bin"
        try:
            meta = json.loads(req.body.split(b"\r\n\r\n", 1)[1].split(b"\r\n--", 1)[0])
            name = meta.get("name", name)
        except Exception:
            pass
        return Response(200, _gcs_obj(bucket, name, data))
    if "/rewriteTo/" in rp:
        dm = re.search(r"/rewriteTo/b/([^/]+)/o/([^/?]+)", rp)
        dst = urllib.parse.unquote(dm.group(2))
        return Response(200, {"kind": "storage#rewriteResponse", "totalBytesRewritten": str(len(CONTENT)),
                              "objectSize": str(len(CONTENT)), "done": True,
                              "resource": _gcs_obj(urllib.parse.unquote(dm.group(1)), dst)})
    if obj is None and m == "GET":
        prefix = req.arg("prefix", "") or ""
        delim = req.arg("delimiter")
        items, prefixes = [], set()
        for name in GCS_BUCKETS[bucket]:
            if not name.startswith(prefix):
                continue
            rest = name[len(prefix):]
            if delim and delim in rest:
                prefixes.add(prefix + rest.split(delim)[0] + delim)
            else:
                items.append(_gcs_obj(bucket, name))
        body = {"kind": "storage#objects"}
        if items:
            body["items"] = items
        if prefixes:
            body["prefixes"] = sorted(prefixes)
        return Response(200, body)
    if obj is not None:
        exists = obj in GCS_BUCKETS[bucket]
        if m == "GET" and ("/download/" in rp or req.arg("alt") == "media"):
            if exists:
                return Response(200, CONTENT, content_type="application/octet-stream",
                                headers={"X-Goog-Generation": "1732097730000000", "X-Goog-Stored-Content-Length": str(len(CONTENT)),
                                         "X-Goog-Hash": f"crc32c=AAAAAA==,md5={MD5_B64}"})
            return gerr(404, f"No such object: {bucket}/{obj}", "notFound")
        if m == "GET":
            if exists:
                return Response(200, _gcs_obj(bucket, obj))
            return gerr(404, f"No such object: {bucket}/{obj}", "notFound")
        if m == "DELETE":
            return Response(204, b"")
        if m in ("PATCH", "PUT", "POST"):
            return Response(200, _gcs_obj(bucket, obj))
    return gerr(400, "Invalid argument.", "invalid")


# ---------------------------------------------------------------------------------------------------------------
# Google Photos Library API v1 (photoslibrary.googleapis.com/v1)

ALBUM = {"id": "AFlOOpbAcKAlbUmHoLiDaY0001", "title": "Holiday", "productUrl": "https://photos.google.com/lr/album/x",
         "mediaItemsCount": "1", "isWriteable": True, "coverPhotoBaseUrl": "https://lh3.googleusercontent.com/lr/x"}
ITEM = {"id": "AFlOOpbAcKmEdIaItEm0001", "productUrl": "https://photos.google.com/lr/photo/x",
        "baseUrl": "https://lh3.googleusercontent.com/lr/AFlOOpbAcKbAsE", "mimeType": "image/jpeg",
        "mediaMetadata": {"creationTime": "2026-11-20T10:15:30Z", "width": "64", "height": "64", "photo": {}},
        "filename": "p.jpg"}


def _photos_kind(req):
    p = req.path
    if req.host.endswith("googleusercontent.com"):
        return "download"
    if p == "/v1/uploads":
        return "upload"
    if req.method == "GET" and p in ("/v1/albums", "/v1/sharedAlbums"):
        return "lookup"
    if req.method == "GET" or p == "/v1/mediaItems:search":
        return "list"
    return "mutate"


def _photos_good(req, state):
    p, m = req.path, req.method
    if req.host.endswith("googleusercontent.com"):
        return Response(200, CONTENT, content_type="image/jpeg")
    if m == "GET" and p == "/v1/albums":
        return Response(200, {"albums": [ALBUM]})
    if m == "GET" and p == "/v1/sharedAlbums":
        return Response(200, {})
    if m == "POST" and p == "/v1/mediaItems:search":
        return Response(200, {"mediaItems": [ITEM]})
    if m == "GET" and p.startswith("/v1/mediaItems/"):
        return Response(200, ITEM)
    if m == "POST" and p == "/v1/albums":
        meta = (req.json() or {}).get("album", {})
        return Response(200, dict(ALBUM, id="AFlOOpbAcKnEwAlBuM0002", title=meta.get("title", "NewAlbum"),
                                  mediaItemsCount="0"))
    if m == "POST" and p == "/v1/uploads":
        return Response(200, "CAIS6QIATQoSfakeUploadTokenLoopback", content_type="text/plain")
    if m == "POST" and p == "/v1/mediaItems:batchCreate":
        return Response(200, {"newMediaItemResults": [{"uploadToken": "CAIS6QIATQoSfakeUploadTokenLoopback",
                                                       "status": {"message": "Success"},
                                                       "mediaItem": dict(ITEM, id="AFlOOpbAcKnEwItEm2",
                                                                         filename="f.jpg")}]})
    return gerr(400, "Request contains an invalid argument.", status="INVALID_ARGUMENT")


# ---------------------------------------------------------------------------------------------------------------
# Overrides: the printed text no longer carries the injected fault


def override(message, fault, code):
    if fault in ("not_found", "app_not_authorized", "invalid_value") and "failed to get Drive storageQuota" in message:
        return None, f"harness: the fake's {fault} answer names a file or query parameter Drive's about call has not"
    if "can't have empty directories does nothing" in message:
        return None, "harness: informational notice of Google Photos mkdir, no failure"
    if re.match(r"^failed to list: ", message):
        return None, "thinning: the same run prints this cause again on its 'Failed to list \"\"' line"
    if re.search(r"failed to delete \d+ files|not deleting files as there were IO errors|not deleting directories|"
                 r"^Fatal error received - not attempting retries", message):
        return "unknown", "consequence line: the cause (the injected fault) is printed on other lines"
    if fault == "truncated_json" and re.search(r"unexpected EOF$", message):
        return "network_error", ("the fake sent a complete but truncated JSON body; Go's decoder reports it as "
                                 "'unexpected EOF', which the text alone reads as a broken connection")
    if "directory not empty" in message and code == "conflict":
        return code, None
    if "directory not empty" in message:
        return "conflict", "rclone's own check found the directory not empty; the injected fault did not surface"
    if re.search(r"(?i)object not found|directory not found|file not found|doesn't exist|not found", message) and \
            code != "not_found" and "googleapi" not in message and "oauth2" not in message:
        return "not_found", f"rclone reports not-found instead of the injected {fault}"
    return code, None
