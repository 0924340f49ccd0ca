"""MITM fakes for Microsoft OneDrive (Graph v1.0, drive_type personal and business) and Dropbox (API v2).

Hosts answered (all through the loopback proxy, nothing leaves 127.0.0.1):
  graph.microsoft.com            Graph drive/items API (rclone 1.60.1 backend/onedrive)
  login.microsoftonline.com      /common/oauth2/v2.0/token (token refresh faults only)
  api.onedrive.com, contoso-my.sharepoint.com, public.bn.files.1drv.com   upload-session / download URLs
  api.dropboxapi.com             RPC routes and /1/oauth2/token (dropbox-sdk-go-unofficial v6.0.4 as rclone uses it)
  content.dropboxapi.com         files/download, files/upload_session/*

Error bodies are written for these fakes after the providers' documented formats (Graph/OneDrive error resource,
Dropbox API v2 error_summary + tagged unions, Microsoft identity platform / Dropbox OAuth2 token errors) and the
structs rclone/the Dropbox SDK decode; they were not captured from real servers.
"""
import hashlib, json, re, time, uuid
from mitm import Response, Reset, Close, Hang, Partial, Raw

# --------------------------------------------------------------------------------------------------------------
# Faults and their codes (labelling-brief.md), fixed before any rclone run.
FAULTS = {
    # credentials
    "auth_invalid": "invalid_credentials",         # 401 invalid token on every API call
    "auth_expired": "invalid_credentials",         # 401 expired token on every API call
    "od_rps": "invalid_credentials",               # OneDrive personal 401 unauthenticated "Unable to initialize RPS"
    "dbx_user_suspended": "invalid_credentials",   # Dropbox 401 user_suspended
    "token_invalid_grant": "invalid_credentials",  # token expired; refresh -> 400 invalid_grant
    "token_invalid_client": "invalid_credentials", # token expired; refresh -> 401/400 invalid_client
    "token_no_refresh": "invalid_credentials",     # token expired and no refresh_token in config
    "token_500": "unknown",                        # token expired; token endpoint 500
    "token_503": "rate_limited",                   # token endpoint 503 temporarily unavailable
    # permission
    "forbidden": "access_denied",                  # 403 on the operation
    "forbidden_init": "access_denied",             # 403 on every call (lands at file system creation)
    "dbx_missing_scope": "access_denied",          # Dropbox 401 missing_scope (token valid, scope missing)
    "dbx_account_type": "access_denied",           # Dropbox 403 invalid_account_type
    "dbx_restricted": "access_denied",             # Dropbox 409 path/restricted_content on download
    # rate limiting / availability
    "rate_limit_retry_after": "rate_limited",
    "rate_limit_no_retry_after": "rate_limited",
    "rate_limit_init": "rate_limited",
    "dbx_write_ops": "rate_limited",               # Dropbox too_many_write_operations
    "unavailable_503": "rate_limited",
    "unavailable_503_init": "rate_limited",
    "internal_500": "unknown",
    "internal_500_init": "unknown",
    # not found
    "not_found_model": "not_found",                # dir and file simply absent in the fake's tree
    "not_found_op": "not_found",                   # 404/409 not_found answered on the operation itself
    # conflicts
    "conflict_exists": "conflict",
    "conflict_etag": "conflict",                   # OneDrive 412 resourceModified
    "conflict_locked": "conflict",                 # OneDrive 423 / Dropbox locked
    "conflict_notempty": "conflict",               # rmdir of a non-empty dir (tree has a file in it)
    "conflict_file_as_dir": "conflict",            # "dir" is a file in the tree
    # bad request
    "bad_request": "validation_error",
    "dbx_malformed_path": "validation_error",
    "dbx_disallowed_name": "validation_error",
    "od_path_too_long": "validation_error",
    # quota
    "quota": "unknown",
    # transport
    "bad_gateway_502": "network_error",
    "bad_gateway_502_init": "network_error",
    "gateway_504": "upstream_timeout",
    "reset": "network_error",
    "reset_init": "network_error",
    "close": "network_error",
    "hang": "upstream_timeout",
    "partial": "network_error",
    "truncated_json": "network_error",             # 200, body cut inside the JSON (Content-Length honest)
    "garbled_json": "unknown",                     # 200, body is not JSON at all
    "cert_self_signed": "network_error",
    "cert_expired": "network_error",
    "cert_wrong_host": "network_error",
}

CERT_MODE = {"cert_self_signed": "self_signed", "cert_expired": "expired", "cert_wrong_host": "wrong_host"}

# --------------------------------------------------------------------------------------------------------------
OD_PERSONAL_DRIVE = "8f3c2a1b9d7e6f50"
OD_BUSINESS_DRIVE = "b!Xk3tP9m2QEyZr7a1cVd0HhW5uLnF8sJq2oB4gT6yIeKxNpRvD3wA7lM1zC9fU0jS"
FUTURE = "2099-01-01T00:00:00Z"
PAST = "2024-01-01T00:00:00Z"


def _tok(expiry, refresh=True, kind="ms"):
    t = {"access_token": ("EwBwA8l6BAAUO9chh8cJscQLmU+LSWpbnr0vmwwAAVmDnP0F7Xyr3z" if kind == "ms"
                          else "sl.BUmzKq3Yf8xQ2vN7pR1tW6aE9cH4jL0oS5dG"),
         "token_type": "Bearer" if kind == "ms" else "bearer", "expiry": expiry}
    if refresh:
        t["refresh_token"] = ("M.R3_BAY.-CbWz3Tq9hN1uX7aK2fJ8pL5eR0sV4yD6gM" if kind == "ms"
                              else "dQw4w9WgXcQAAAAAAAAAAX7nK2pL9sR4tV1bY6hJ3mZ8qW0eC5uF")
    return json.dumps(t)


REMOTES = {
    "odp": {"type": "onedrive", "drive_type": "personal", "drive_id": OD_PERSONAL_DRIVE, "token": _tok(FUTURE)},
    "odb": {"type": "onedrive", "drive_type": "business", "drive_id": OD_BUSINESS_DRIVE, "token": _tok(FUTURE)},
    "odpx": {"type": "onedrive", "drive_type": "personal", "drive_id": OD_PERSONAL_DRIVE, "token": _tok(PAST)},
    "odbx": {"type": "onedrive", "drive_type": "business", "drive_id": OD_BUSINESS_DRIVE, "token": _tok(PAST)},
    "odbn": {"type": "onedrive", "drive_type": "business", "drive_id": OD_BUSINESS_DRIVE,
             "token": _tok(PAST, refresh=False)},
    "dbx": {"type": "dropbox", "token": _tok(FUTURE, kind="dbx")},
    "dbxx": {"type": "dropbox", "token": _tok(PAST, kind="dbx")},
    "dbxn": {"type": "dropbox", "token": _tok(PAST, refresh=False, kind="dbx")},
}

# --------------------------------------------------------------------------------------------------------------
# Scenarios
ALL_CMDS = [
    ("lsjson", ["lsjson", "R:dir"]),
    ("lsd", ["lsd", "R:"]),
    ("upload", ["copyto", "{src}", "R:dir/f.bin"]),
    ("download", ["copyto", "R:dir/f.bin", "{tmp}/f.bin"]),
    ("cat", ["cat", "R:dir/f.bin"]),
    ("mkdir", ["mkdir", "R:newdir"]),
    ("rmdir", ["rmdir", "R:emptydir"]),
    ("deletefile", ["deletefile", "R:dir/f.bin"]),
    ("moveto", ["moveto", "R:dir/f.bin", "R:dir/g.bin"]),
    ("size", ["size", "R:dir"]),
    ("about", ["about", "R:"]),
    ("purge", ["purge", "R:dir"]),
]
CMD = dict(ALL_CMDS)
SHORT = ["lsjson", "upload", "download", "mkdir", "deletefile", "about"]
INIT = ["lsjson", "lsd", "upload", "about"]
TINY = ["lsjson", "upload", "download"]
WRITES = ["upload", "mkdir", "rmdir", "deletefile", "moveto", "purge"]

OD_ONLY = {"od_rps", "forbidden_init", "rate_limit_init", "unavailable_503_init", "internal_500_init", "bad_gateway_502_init",
           "reset_init", "conflict_etag", "od_path_too_long"}
DBX_ONLY = {"dbx_user_suspended", "dbx_missing_scope", "dbx_account_type", "dbx_restricted", "dbx_write_ops", "dbx_malformed_path",
            "dbx_disallowed_name"}


def _cmds_for(fault, full):
    if fault.startswith("token_"):
        return TINY if full else ["lsjson"]
    if fault.startswith("cert_"):
        return TINY if full else ["about"]
    if fault.endswith("_init"):
        return INIT if full else ["lsjson", "upload"]
    if fault == "hang":
        return ["lsjson", "download", "upload", "mkdir"] if full else ["about"]
    if fault in ("conflict_notempty",):
        return ["rmdir_full", "purge_check"]
    if fault == "conflict_file_as_dir":
        return ["mkdir_sub", "lsjson_sub", "upload_sub"]
    if fault == "conflict_exists":
        return ["mkdir", "upload", "moveto"]
    if fault in ("conflict_etag", "conflict_locked"):
        return ["upload", "download", "deletefile", "moveto", "purge", "rmdir"]
    if fault == "quota":
        return ["upload", "mkdir", "moveto"]
    if fault in ("dbx_write_ops", "dbx_disallowed_name"):
        return WRITES
    if fault == "dbx_restricted":
        return ["download", "cat"]
    if fault == "od_path_too_long":
        return ["upload", "mkdir", "lsjson"]
    if fault == "not_found_model":
        return ["lsjson", "download", "cat", "deletefile", "moveto", "size", "purge", "rmdir"]
    return [c for c, _ in ALL_CMDS] if full else SHORT


EXTRA = {
    "rmdir_full": ["rmdir", "R:dir"],
    "purge_check": ["rmdirs", "R:dir"],
    "mkdir_sub": ["mkdir", "R:dir/sub"],
    "lsjson_sub": ["lsjson", "R:dir/sub"],
    "upload_sub": ["copyto", "{src}", "R:dir/sub/f.bin"],
    "mkdir_exist": ["mkdir", "R:dir"],
}


def scenarios():
    out = []
    for fault in FAULTS:
        plan = []
        if fault not in DBX_ONLY:
            plan.append(("onedrive", "odpx" if fault.startswith("token_") and fault != "token_no_refresh" else
                         "odbn" if fault == "token_no_refresh" else "odp", True))
            plan.append(("onedrive", "odbx" if fault.startswith("token_") and fault != "token_no_refresh" else
                         "odbn" if fault == "token_no_refresh" else "odb", False))
        if fault not in OD_ONLY:
            plan.append(("dropbox", "dbxx" if fault.startswith("token_") and fault != "token_no_refresh" else
                         "dbxn" if fault == "token_no_refresh" else "dbx", True))
        for backend, remote, full in plan:
            for name in _cmds_for(fault, full):
                argv = CMD.get(name) or EXTRA[name]
                out.append((backend, remote, fault, name, [a.replace("R:", remote + ":") for a in argv]))
    return out


# --------------------------------------------------------------------------------------------------------------
def route(req, fault, state):
    host = req.host
    if host in ("api.dropboxapi.com", "content.dropboxapi.com"):
        return _dropbox(req, fault, state)
    return _onedrive(req, fault, state)


def _now():
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())


HTML_502 = ("<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>\n<h1>Bad Gateway</h1>\n"
            "<p>The proxy server received an invalid response from an upstream server.</p>\n</body></html>\n")
HTML_504 = ("<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out"
            "</h1></center>\r\n</body>\r\n</html>\r\n")


def _transport(fault, body_bearing=True):
    """Transport faults shared by both fakes; None when the fault is not a transport one."""
    if fault in ("reset", "reset_init"):
        return Reset()
    if fault == "close":
        return Close()
    if fault == "hang":
        return Hang(20)
    if fault in ("bad_gateway_502", "bad_gateway_502_init"):
        return Response(502, HTML_502, content_type="text/html")
    if fault == "gateway_504":
        return Response(504, HTML_504, content_type="text/html")
    return None


# ============================================ OneDrive / Graph ===============================================
# ASCII on purpose: run.py reads rclone's stdout as text, so `cat` of binary data would crash it.
FILE_DATA = (b"rclone failure corpus test data 0123456789 abcdefghijklmnopqrstuvwxyz\n" * 1000)[:65536]


def _od_model(state, personal, fault):
    if "od" in state:
        return state["od"]
    drive = OD_PERSONAL_DRIVE if personal else OD_BUSINESS_DRIVE
    if personal:
        ids = {"root": "8F3C2A1B9D7E6F50!101", "dir": "8F3C2A1B9D7E6F50!2718", "file": "8F3C2A1B9D7E6F50!2719",
               "empty": "8F3C2A1B9D7E6F50!2720"}
    else:
        ids = {"root": "01QJH5RBN6Y2GOVW7725BZO354PWSELRRZ", "dir": "01QJH5RBMZ7XK2WUFSKRC2B3TEAFZJ5Y4Q",
               "file": "01QJH5RBKEQQ3ZKZ7NKJCYJT3YAQKHMGXZ", "empty": "01QJH5RBOAT5SMUJXK4NFLNZ7J6B5XRLQE"}
    items = {ids["root"]: {"name": "root", "parent": None, "folder": True}}
    if fault != "not_found_model":
        if fault == "conflict_file_as_dir":
            items[ids["dir"]] = {"name": "dir", "parent": ids["root"], "folder": False}
        else:
            items[ids["dir"]] = {"name": "dir", "parent": ids["root"], "folder": True}
            items[ids["file"]] = {"name": "f.bin", "parent": ids["dir"], "folder": False}
        items[ids["empty"]] = {"name": "emptydir", "parent": ids["root"], "folder": True}
    state["od"] = m = {"drive": drive, "personal": personal, "ids": ids, "items": items, "n": 3000}
    return m


def _od_item_json(m, iid):
    it = m["items"][iid]
    dtype = "personal" if m["personal"] else "business"
    j = {"id": iid, "name": it["name"], "createdDateTime": "2020-01-01T00:00:00Z",
         "lastModifiedDateTime": "2020-01-01T00:00:00Z", "eTag": f"\"{{{iid[-8:]}}},3\"", "cTag": f"\"c:{{{iid[-8:]}}},2\"",
         "fileSystemInfo": {"createdDateTime": "2020-01-01T00:00:00Z", "lastModifiedDateTime": "2020-01-01T00:00:00Z"},
         "parentReference": {"driveId": m["drive"], "driveType": dtype}}
    if it["parent"]:
        j["parentReference"]["id"] = it["parent"]
        j["parentReference"]["path"] = "/drive/root:"
    if it["folder"]:
        j["folder"] = {"childCount": sum(1 for x in m["items"].values() if x["parent"] == iid)}
        j["size"] = 0
        if not it["parent"]:
            j["root"] = {}
    else:
        j["file"] = {"mimeType": "application/octet-stream"}
        j["size"] = it.get("size", 65536)
    return j


def _od_child(m, pid, name):
    for iid, it in m["items"].items():
        if it["parent"] == pid and it["name"].lower() == name.lower():
            return iid
    return None


def _od_resolve(m, base, rel):
    cur = base
    for part in [p for p in rel.split("/") if p]:
        if cur is None or not m["items"][cur]["folder"]:
            return None
        cur = _od_child(m, cur, part)
    return cur


def _graph_err(status, code, message, inner=None, headers=None):
    e = {"code": code, "message": message,
         "innerError": {"date": _now(), "request-id": "3f1c9a52-7d1e-4b7a-9c2e-5a8d1e0b6f47",
                        "client-request-id": "3f1c9a52-7d1e-4b7a-9c2e-5a8d1e0b6f47"}}
    if inner:
        e["innerError"]["code"] = inner
    h = {"request-id": "3f1c9a52-7d1e-4b7a-9c2e-5a8d1e0b6f47"}
    h.update(headers or {})
    return Response(status, {"error": e}, headers=h)


def _od_kind(req, rest):
    """Classify a Graph/OneDrive request."""
    if req.host.startswith("login."):
        return "token"
    if req.host != "graph.microsoft.com":
        return "upload" if req.method in ("PUT", "DELETE") else "dlhost"
    if rest == "" and req.method == "GET":
        return "about"
    if req.method == "DELETE":
        return "delete"
    if req.method == "PATCH":
        return "move"
    if rest.endswith("/createUploadSession"):
        return "session"
    if rest.endswith("/content"):
        return "download" if req.method == "GET" else "upload"
    if rest.split("?")[0].endswith("/children"):
        return "list" if req.method == "GET" else "mkdir"
    return "meta"


OD_OPS = {"about", "delete", "move", "session", "upload", "download", "list", "mkdir", "dlhost"}


def _od_fault(req, fault, kind, m, state):
    personal = m["personal"]
    if fault is None:
        return None
    # token endpoint faults
    if kind == "token":
        if fault == "token_invalid_grant":
            if personal:
                desc = ("AADSTS70000: The provided value for the input parameter 'refresh_token' or 'assertion' is "
                        "not valid.\r\nTrace ID: 6a4b1f0e-2c3d-4e5f-8a9b-0c1d2e3f4a5b\r\nCorrelation ID: "
                        "0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f\r\nTimestamp: 2026-12-03 06:55:12Z")
                codes = [70000]
            else:
                desc = ("AADSTS700082: The refresh token has expired due to inactivity. The token was issued on "
                        "2026-08-31T09:14:27.5320000Z and was inactive for 90.00:00:00.\r\nTrace ID: "
                        "6a4b1f0e-2c3d-4e5f-8a9b-0c1d2e3f4a5b\r\nCorrelation ID: 0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f"
                        "\r\nTimestamp: 2026-12-03 06:55:12Z")
                codes = [700082]
            return Response(400, {"error": "invalid_grant", "error_description": desc, "error_codes": codes,
                                  "timestamp": "2026-12-03 06:55:12Z",
                                  "trace_id": "6a4b1f0e-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
                                  "correlation_id": "0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f",
                                  "error_uri": f"https://login.microsoftonline.com/error?code={codes[0]}"})
        if fault == "token_invalid_client":
            desc = ("AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is "
                    "the client secret value, not the client secret ID, for a secret added to app "
                    "'b15665d9-eda6-4092-8539-0eec376afd59'.\r\nTrace ID: 6a4b1f0e-2c3d-4e5f-8a9b-0c1d2e3f4a5b\r\n"
                    "Correlation ID: 0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f\r\nTimestamp: 2026-12-03 06:55:12Z")
            return Response(401, {"error": "invalid_client", "error_description": desc, "error_codes": [7000215],
                                  "timestamp": "2026-12-03 06:55:12Z",
                                  "trace_id": "6a4b1f0e-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
                                  "correlation_id": "0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f",
                                  "error_uri": "https://login.microsoftonline.com/error?code=7000215"})
        if fault == "token_500":
            desc = ("AADSTS90033: A transient error has occurred. Please try again.\r\nTrace ID: "
                    "6a4b1f0e-2c3d-4e5f-8a9b-0c1d2e3f4a5b\r\nCorrelation ID: 0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f")
            return Response(500, {"error": "server_error", "error_description": desc, "error_codes": [90033]})
        if fault == "token_503":
            desc = ("AADSTS90006: The server is temporarily unavailable. Please try again later.\r\nTrace ID: "
                    "6a4b1f0e-2c3d-4e5f-8a9b-0c1d2e3f4a5b")
            return Response(503, {"error": "temporarily_unavailable", "error_description": desc,
                                  "error_codes": [90006]}, headers={"Retry-After": "1"})
        return Response(400, {"error": "invalid_request", "error_description": "unexpected token call"})
    if fault.startswith("token_") or fault.startswith("cert_"):
        return None
    init = fault.endswith("_init")
    on_op = kind in OD_OPS
    if fault == "od_rps":
        if kind in ("upload", "dlhost"):
            return None
        return _graph_err(401, "unauthenticated", "Unable to initialize RPS")
    if fault in ("auth_invalid", "auth_expired"):
        if kind in ("upload", "dlhost"):
            return None
        if fault == "auth_expired":
            return _graph_err(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.",
                              headers={"WWW-Authenticate": 'Bearer realm="", authorization_uri='
                                       '"https://login.microsoftonline.com/common/oauth2/authorize", '
                                       'client_id="00000003-0000-0000-c000-000000000000"'})
        if personal:
            return _graph_err(401, "InvalidAuthenticationToken",
                              "CompactToken parsing failed with error code: 80049217")
        return _graph_err(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
    if not (init or on_op):
        return None
    if kind == "dlhost" and fault != "partial":
        return None
    if fault in ("forbidden", "forbidden_init"):
        if kind == "upload":
            return None
        if personal:
            return _graph_err(403, "accessDenied", "Access denied")
        return _graph_err(403, "accessDenied", "Access denied. You do not have permission to perform this action "
                                               "or access this resource.")
    if fault in ("rate_limit_retry_after", "rate_limit_init"):
        return _graph_err(429, "activityLimitReached", "The request has been throttled",
                          inner="throttledRequest", headers={"Retry-After": "1"})
    if fault == "rate_limit_no_retry_after":
        return _graph_err(429, "TooManyRequests", "Too many requests")
    if fault in ("unavailable_503", "unavailable_503_init"):
        return _graph_err(503, "serviceNotAvailable", "Service unavailable", headers={"Retry-After": "1"})
    if fault in ("internal_500", "internal_500_init"):
        return _graph_err(500, "generalException", "An unspecified error has occurred.")
    if fault == "not_found_op":
        if kind in ("download", "delete", "move", "list", "session"):
            return _graph_err(404, "itemNotFound", "The resource could not be found.")
        if kind == "about":
            return _graph_err(404, "itemNotFound", "Item Does Not Exist")
        return None
    if fault == "conflict_exists":
        if kind in ("mkdir", "move", "session"):
            return _graph_err(409, "nameAlreadyExists", "The specified item name already exists.")
        return None
    if fault == "conflict_etag":
        if kind in ("move", "delete", "upload", "session"):
            return _graph_err(412, "resourceModified", "ETag does not match current item's value",
                              inner="entityTagDoesNotMatch")
        return None
    if fault == "conflict_locked":
        if kind in ("move", "delete", "upload", "session", "download"):
            return _graph_err(423, "resourceLocked" if not personal else "notAllowed",
                              "The resource you are attempting to access is locked", inner="lockMismatch")
        return None
    if fault == "bad_request":
        if kind in ("mkdir", "session", "move"):
            return _graph_err(400, "invalidRequest", "The provided name contains invalid characters.",
                              inner="invalidPath")
        return _graph_err(400, "invalidRequest", "Invalid request", inner="badArgument")
    if fault == "od_path_too_long":
        if kind in ("mkdir", "session", "list"):
            return _graph_err(400, "invalidRequest", "The path is too long.", inner="pathIsTooLong")
        return None
    if fault == "quota":
        if kind in ("session", "upload", "mkdir", "move"):
            return _graph_err(507, "quotaLimitReached", "Insufficient Space Available")
        if kind == "about":
            return None
        return None
    t = _transport(fault)
    if t is not None:
        if kind == "upload" and fault in ("hang",):
            return t
        return t
    if fault == "partial":
        if kind == "download":
            return None  # let the redirect happen; cut the body on the download host
        if kind == "dlhost":
            return Partial(200, FILE_DATA[:9000], declared_length=len(FILE_DATA),
                           headers={"Content-Type": "application/octet-stream"})
        if kind in ("list", "about", "mkdir", "move", "session"):
            return Partial(200, b'{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#drives(\'x\')",'
                                b'"value":[{"id":"01QJH5', declared_length=4096,
                           headers={"Content-Type": "application/json"})
        return Partial(201, b'{"id":"01QJ', declared_length=2048, headers={"Content-Type": "application/json"})
    if fault == "truncated_json":
        if kind in ("download", "dlhost", "delete"):
            return None
        body = (b'{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#Collection(driveItem)","value":'
                b'[{"createdDateTime":"2020-01-01T00:00:00Z","eTag":"\\"{4B1F0E2C},3\\"","id":"01QJH5RB')
        return Response(200 if kind != "session" and kind != "upload" else 200, body,
                        content_type="application/json")
    if fault == "garbled_json":
        if kind in ("download", "dlhost", "delete"):
            return None
        return Response(200, "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body>"
                             "<form method=\"POST\" name=\"hiddenform\"></form></body></html>",
                        content_type="text/html; charset=utf-8")
    return None


def _onedrive(req, fault, state):
    rest = ""
    personal = True
    p = req.path
    mm = re.match(r"^/v1\.0/drives/([^/]+)(.*)$", p)
    if mm:
        personal = mm.group(1) == OD_PERSONAL_DRIVE
        rest = mm.group(2)
        state["personal"] = personal
    else:
        personal = state.get("personal", True)
    m = _od_model(state, personal, fault)
    kind = _od_kind(req, rest)
    f = _od_fault(req, fault, kind, m, state)
    if f is not None:
        return f
    return _od_normal(req, kind, rest, m, state)


def _od_normal(req, kind, rest, m, state):
    ids, items = m["ids"], m["items"]
    if kind == "token":
        return Response(400, {"error": "invalid_request", "error_description": "unexpected"})
    if kind == "about":
        dtype = "personal" if m["personal"] else "business"
        return Response(200, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#drives/$entity",
                              "id": m["drive"], "driveType": dtype,
                              "owner": {"user": {"displayName": "Alex Wilber", "id": "8f3c2a1b9d7e6f50"}},
                              "quota": {"deleted": 1048576, "remaining": 5261334937, "state": "normal",
                                        "total": 5368709120, "used": 107374183}})
    if kind == "dlhost":
        return Response(200, FILE_DATA, content_type="application/octet-stream")
    if kind == "upload":
        if req.method == "DELETE":
            return Response(204, b"")
        iid = state.get("upload_target")
        if iid is None:
            return _graph_err(404, "itemNotFound", "The upload session was not found", inner="uploadSessionNotFound")
        items[iid]["size"] = len(req.body)
        return Response(201, _od_item_json(m, iid))
    # parse the item address
    mm = re.match(r"^/(root|items/([^/:]+))(?::/(.*?))?(/children|/content|/createUploadSession)?$", rest)
    if not mm:
        return _graph_err(400, "invalidRequest", "Invalid request")
    base = ids["root"] if mm.group(1) == "root" else mm.group(2).split("#")[-1]
    rel = (mm.group(3) or "").rstrip(":")
    route = mm.group(4) or ""
    if base not in items:
        return _graph_err(404, "itemNotFound", "Item does not exist")
    if kind == "session":
        parent_rel, _, leaf = rel.rpartition("/")
        pid = _od_resolve(m, base, parent_rel)
        if pid is None:
            return _graph_err(404, "itemNotFound", "The resource could not be found.")
        iid = _od_child(m, pid, leaf)
        if iid is None:
            m["n"] += 1
            iid = ids["root"][:-3] + str(m["n"]) if m["personal"] else "01QJH5RBNEWITEM%04dZZZZZZZZZZZZZZ" % m["n"]
            items[iid] = {"name": leaf, "parent": pid, "folder": False, "size": 0}
        state["upload_target"] = iid
        host = "api.onedrive.com" if m["personal"] else "contoso-my.sharepoint.com"
        url = (f"https://{host}/rup/{uuid.uuid4().hex}" if m["personal"] else
               f"https://{host}/personal/alexw_contoso_com/_api/v2.0/drives/{m['drive']}/items/{pid}/uploadSession"
               f"?guid='{uuid.uuid4()}'&overwrite=True&rename=False&dc=0&tempauth=eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0")
        return Response(200, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph."
                                                "uploadSession", "uploadUrl": url,
                              "expirationDateTime": "2099-01-01T00:00:00Z", "nextExpectedRanges": ["0-"]})
    target = _od_resolve(m, base, rel)
    if kind == "mkdir":
        body = req.json() or {}
        if target is None:
            return _graph_err(404, "itemNotFound", "The resource could not be found.")
        name = body.get("name", "new")
        if _od_child(m, target, name):
            return _graph_err(409, "nameAlreadyExists", "The specified item name already exists.")
        m["n"] += 1
        iid = ids["root"][:-3] + str(m["n"]) if m["personal"] else "01QJH5RBNEWDIR%04dZZZZZZZZZZZZZZZ" % m["n"]
        items[iid] = {"name": name, "parent": target, "folder": True}
        return Response(201, _od_item_json(m, iid))
    if target is None:
        return _graph_err(404, "itemNotFound", "The resource could not be found." if m["personal"] else
                          "Item not found")
    if kind == "meta":
        return Response(200, _od_item_json(m, target))
    if kind == "list":
        if not items[target]["folder"]:
            return Response(200, {"value": []})
        kids = [_od_item_json(m, i) for i, it in items.items() if it["parent"] == target]
        return Response(200, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(driveItem)",
                              "value": kids})
    if kind == "download":
        host = "public.bn.files.1drv.com" if m["personal"] else "contoso-my.sharepoint.com"
        return Response(302, b"", headers={"Location": f"https://{host}/y4mZ{uuid.uuid4().hex}/f.bin?download"})
    if kind == "delete":
        items.pop(target, None)
        return Response(204, b"")
    if kind == "move":
        body = req.json() or {}
        if body.get("name"):
            items[target]["name"] = body["name"]
        pr = body.get("parentReference") or {}
        if pr.get("id"):
            items[target]["parent"] = pr["id"].split("#")[-1]
        return Response(200, _od_item_json(m, target))
    return _graph_err(400, "invalidRequest", "Invalid request")


# ================================================= Dropbox ===================================================
def _dbx_hash(data):
    blocks = [hashlib.sha256(data[i:i + 4 * 1024 * 1024]).digest() for i in range(0, len(data), 4 * 1024 * 1024)]
    return hashlib.sha256(b"".join(blocks)).hexdigest()


def _dbx_model(state, fault):
    if "dbx" not in state:
        tree = {"": "folder"}
        if fault != "not_found_model":
            if fault == "conflict_file_as_dir":
                tree["/dir"] = "file"
            else:
                tree["/dir"] = "folder"
                tree["/dir/f.bin"] = "file"
            tree["/emptydir"] = "folder"
        state["dbx"] = {"tree": tree, "sizes": {}}
    return state["dbx"]


def _dbx_meta(m, path):
    kind = m["tree"][path]
    name = path.rsplit("/", 1)[-1]
    ident = "id:a4ayc_80_OEAAAAAAAA" + hashlib.md5(path.encode()).hexdigest()[:6]
    if kind == "folder":
        return {".tag": "folder", "name": name, "path_lower": path.lower(), "path_display": path, "id": ident}
    data = m["sizes"].get(path, FILE_DATA)
    return {".tag": "file", "name": name, "path_lower": path.lower(), "path_display": path, "id": ident,
            "client_modified": "2020-01-01T00:00:00Z", "server_modified": "2020-01-01T00:00:05Z",
            "rev": "5f0a1c10ce0dd78a0f8e6", "size": len(data), "is_downloadable": True,
            "content_hash": _dbx_hash(data)}


def _dbx_err(summary_tag, error, status=409):
    return Response(status, {"error_summary": summary_tag, "error": error},
                    headers={"X-Dropbox-Request-Id": "8a3c1f0e9b2d4e6f7a5c3b1d0e9f8a7b"})


def _lookup_err(outer, tag, extra=None):
    """e.g. outer="path", tag="not_found" -> {"error_summary": "path/not_found/..", ...}."""
    inner = {".tag": tag}
    if extra:
        inner.update(extra)
    return _dbx_err(f"{outer}/{tag}/" + ("." * 2), {".tag": outer, outer: inner})


def _dbx_route(req):
    p = req.path
    if "oauth2/token" in p:
        return "token"
    return p[len("/2/"):] if p.startswith("/2/") else p


DBX_WRITE = {"files/create_folder_v2", "files/delete_v2", "files/move_v2", "files/upload",
             "files/upload_session/start", "files/upload_session/append_v2", "files/upload_session/finish_batch_v2"}
DBX_META = {"files/get_metadata"}


def _dbx_arg(req):
    if req.headers.get("Dropbox-API-Arg"):
        try:
            return json.loads(req.headers["Dropbox-API-Arg"])
        except ValueError:
            return {}
    return req.json() or {}


def _dropbox(req, fault, state):
    r = _dbx_route(req)
    m = _dbx_model(state, fault)
    f = _dbx_fault(req, r, fault, m, state)
    if f is not None:
        return f
    return _dbx_normal(req, r, m, state)


def _dbx_fault(req, r, fault, m, state):
    if fault is None:
        return None
    if r == "token":
        if fault == "token_invalid_grant":
            return Response(400, {"error": "invalid_grant", "error_description": "refresh token is malformed"})
        if fault == "token_invalid_client":
            return Response(400, {"error": "invalid_client", "error_description": "Invalid client_id or client_secret"})
        if fault == "token_500":
            return Response(500, "Internal Server Error", content_type="text/plain; charset=utf-8")
        if fault == "token_503":
            return Response(503, "Service Unavailable", content_type="text/plain; charset=utf-8",
                            headers={"Retry-After": "1"})
        return Response(400, {"error": "invalid_request", "error_description": "unexpected"})
    if fault.startswith("token_") or fault.startswith("cert_"):
        return None
    meta = r in DBX_META
    if fault == "auth_invalid":
        return _dbx_err("invalid_access_token/..", {".tag": "invalid_access_token"}, 401)
    if fault == "auth_expired":
        return _dbx_err("expired_access_token/..", {".tag": "expired_access_token"}, 401)
    if fault == "dbx_user_suspended":
        return _dbx_err("user_suspended/..", {".tag": "user_suspended"}, 401)
    if meta and fault not in ("not_found_op",):
        return None  # get_metadata answers normally; fault lands on the operation
    if fault == "forbidden":
        if r in ("files/create_folder_v2", "files/upload_session/finish_batch_v2", "files/upload"):
            if r == "files/upload_session/finish_batch_v2":
                return Response(200, {"entries": [{".tag": "failure", "failure": {".tag": "path", "path": {
                    ".tag": "no_write_permission"}}}]})
            return _lookup_err("path", "no_write_permission")
        if r == "files/delete_v2":
            return _dbx_err("path_write/no_write_permission/..",
                            {".tag": "path_write", "path_write": {".tag": "no_write_permission"}})
        if r == "files/move_v2":
            return _dbx_err("from_write/no_write_permission/..",
                            {".tag": "from_write", "from_write": {".tag": "no_write_permission"}})
        return None  # reads and upload-session data calls answer normally: Dropbox refuses the write itself
    if fault == "dbx_missing_scope":
        scope = "files.content.write" if r in DBX_WRITE else (
            "account_info.read" if r.startswith("users/") else "files.content.read"
            if r == "files/download" else "files.metadata.read")
        return _dbx_err("missing_scope/..", {".tag": "missing_scope", "required_scope": scope}, 401)
    if fault == "dbx_account_type":
        return _dbx_err("invalid_account_type/endpoint/..",
                        {".tag": "invalid_account_type", "invalid_account_type": {".tag": "endpoint"}}, 403)
    if fault == "dbx_restricted":
        if r == "files/download":
            return _lookup_err("path", "restricted_content")
        return None
    if fault in ("rate_limit_retry_after",):
        reason = "too_many_write_operations" if r in DBX_WRITE else "too_many_requests"
        return Response(429, {"error_summary": f"{reason}/...", "error": {"reason": {".tag": reason},
                                                                           "retry_after": 1}},
                        headers={"Retry-After": "1"})
    if fault == "rate_limit_no_retry_after":
        return Response(429, {"error_summary": "too_many_requests/..", "error": {"reason": {".tag": "too_many_requests"}}})
    if fault == "dbx_write_ops":
        if r in DBX_WRITE:
            if r == "files/delete_v2":
                return _dbx_err("too_many_write_operations/..", {".tag": "too_many_write_operations"})
            if r == "files/upload_session/finish_batch_v2":
                return Response(200, {"entries": [{".tag": "failure", "failure": {".tag": "too_many_write_operations"}}]})
            if r in ("files/create_folder_v2",):
                return _lookup_err("path", "too_many_write_operations")
            return Response(429, {"error_summary": "too_many_write_operations/..",
                                  "error": {"reason": {".tag": "too_many_write_operations"}, "retry_after": 1}},
                            headers={"Retry-After": "1"})
        return None
    if fault == "unavailable_503":
        return Response(503, "Service Unavailable", content_type="text/plain; charset=utf-8", headers={"Retry-After": "1"})
    if fault == "internal_500":
        return Response(500, "", content_type="text/plain; charset=utf-8") if r == "files/list_folder" else \
            Response(500, "Internal Server Error", content_type="text/plain; charset=utf-8")
    if fault == "not_found_op":
        if r in ("files/get_metadata", "files/list_folder", "files/download"):
            return _lookup_err("path", "not_found")
        if r == "files/delete_v2":
            return _lookup_err("path_lookup", "not_found")
        if r == "files/move_v2":
            return _lookup_err("from_lookup", "not_found")
        return None
    if fault == "conflict_exists":
        if r == "files/create_folder_v2":
            return _lookup_err("path", "conflict", {"conflict": {".tag": "folder"}})
        if r == "files/upload_session/finish_batch_v2":
            return Response(200, {"entries": [{".tag": "failure", "failure": {".tag": "path", "path": {
                ".tag": "conflict", "conflict": {".tag": "file"}}}}]})
        if r == "files/move_v2":
            return _dbx_err("to/conflict/file/..", {".tag": "to", "to": {".tag": "conflict", "conflict": {".tag": "file"}}})
        return None
    if fault == "conflict_locked":
        if r == "files/download":
            return _lookup_err("path", "locked")
        if r == "files/delete_v2":
            return _lookup_err("path_lookup", "locked")
        if r == "files/move_v2":
            return _lookup_err("from_lookup", "locked")
        if r == "files/upload_session/finish_batch_v2":
            return Response(200, {"entries": [{".tag": "failure", "failure": {".tag": "lookup_failed", "lookup_failed": {
                ".tag": "locked"}}}]})
        return None
    if fault == "bad_request":
        if req.host == "content.dropboxapi.com":
            text = (f'Error in call to API function "{r}": Bad HTTP "Content-Type" header: "application/json".  '
                    'Expecting one of "application/octet-stream", "text/plain; charset=dropbox-cors-hack".')
        elif r.startswith("users/"):
            text = f'Error in call to API function "{r}": request body: could not decode input as JSON'
        else:
            text = (f'Error in call to API function "{r}": request body: path: \'dir\' did not match pattern '
                    '\'(/(.|[\\r\\n])*)?|id:.*|(ns:[0-9]+(/.*)?)\'')
        return Response(400, text, content_type="text/plain; charset=utf-8")
    if fault == "dbx_malformed_path":
        if r in ("files/list_folder", "files/download", "files/create_folder_v2"):
            return _lookup_err("path", "malformed_path")
        if r == "files/delete_v2":
            return _lookup_err("path_lookup", "malformed_path")
        if r == "files/move_v2":
            return _lookup_err("from_lookup", "malformed_path")
        if r == "files/upload_session/finish_batch_v2":
            return Response(200, {"entries": [{".tag": "failure", "failure": {".tag": "path", "path": {
                ".tag": "malformed_path"}}}]})
        return None
    if fault == "dbx_disallowed_name":
        if r == "files/create_folder_v2":
            return _lookup_err("path", "disallowed_name")
        if r == "files/upload_session/finish_batch_v2":
            return Response(200, {"entries": [{".tag": "failure", "failure": {".tag": "path", "path": {
                ".tag": "disallowed_name"}}}]})
        if r == "files/move_v2":
            return _dbx_err("to/disallowed_name/..", {".tag": "to", "to": {".tag": "disallowed_name"}})
        if r == "files/delete_v2":
            return _dbx_err("path_write/disallowed_name/..", {".tag": "path_write", "path_write": {".tag": "disallowed_name"}})
        return None
    if fault == "quota":
        if r == "files/upload_session/finish_batch_v2":
            return Response(200, {"entries": [{".tag": "failure", "failure": {".tag": "path", "path": {
                ".tag": "insufficient_space"}}}]})
        if r == "files/create_folder_v2":
            return _lookup_err("path", "insufficient_space")
        if r == "files/move_v2":
            return _dbx_err("insufficient_quota/..", {".tag": "insufficient_quota"})
        return None
    if fault == "conflict_file_as_dir":
        return None  # handled by the tree
    t = _transport(fault)
    if t is not None:
        return t
    if fault == "partial":
        if r == "files/download":
            meta_j = _dbx_meta(m, "/dir/f.bin")
            return Partial(200, FILE_DATA[:9000], declared_length=len(FILE_DATA),
                           headers={"Content-Type": "application/octet-stream",
                                    "Dropbox-API-Result": json.dumps(meta_j)})
        return Partial(200, b'{"entries": [{".tag": "file", "name": "f.bin", "path_lower": "/dir/f',
                       declared_length=4096, headers={"Content-Type": "application/json"})
    if fault == "truncated_json":
        if r in ("files/download",):
            return None
        return Response(200, b'{"entries": [{".tag": "file", "name": "f.bin", "path_lower": "/dir/f.bin", "path_di',
                        content_type="application/json")
    if fault == "garbled_json":
        if r in ("files/download",):
            return None
        return Response(200, "<html><head><title>Dropbox - Error</title></head><body>Something went wrong."
                             "</body></html>", content_type="text/html; charset=utf-8")
    return None


def _dbx_normal(req, r, m, state):
    tree = m["tree"]
    arg = _dbx_arg(req)
    path = arg.get("path", "")
    if path == "/":
        path = ""
    if r == "token":
        return Response(400, {"error": "invalid_request"})
    if r == "files/get_metadata":
        if path not in tree:
            parent = path.rsplit("/", 1)[0]
            if parent in tree and tree[parent] == "file":
                return _lookup_err("path", "not_folder")
            return _lookup_err("path", "not_found")
        return Response(200, _dbx_meta(m, path))
    if r == "files/list_folder":
        if path not in tree:
            parent = path.rsplit("/", 1)[0]
            if parent in tree and tree[parent] == "file":
                return _lookup_err("path", "not_folder")
            return _lookup_err("path", "not_found")
        if tree[path] == "file":
            return _lookup_err("path", "not_folder")
        kids = [_dbx_meta(m, p) for p in tree if p and p.rsplit("/", 1)[0] == path]
        return Response(200, {"entries": kids, "cursor": "AAGvQ3kM9f2Z7LqX0n1pRt4yWb8cHe6uJ5sDo", "has_more": False})
    if r == "files/download":
        p = arg.get("path", "")
        target = next((q for q in tree if q and _dbx_meta(m, q)["id"] == p), p)
        if target not in tree or tree[target] != "file":
            return _lookup_err("path", "not_found" if target not in tree else "not_file")
        data = m["sizes"].get(target, FILE_DATA)
        return Response(200, data, content_type="application/octet-stream",
                        headers={"Dropbox-API-Result": json.dumps(_dbx_meta(m, target))})
    if r == "files/create_folder_v2":
        parent = path.rsplit("/", 1)[0]
        if parent in tree and tree[parent] == "file":
            return _lookup_err("path", "conflict", {"conflict": {".tag": "file_ancestor"}})
        if path in tree:
            return _lookup_err("path", "conflict", {"conflict": {".tag": "folder"}})
        tree[path] = "folder"
        return Response(200, {"metadata": {k: v for k, v in _dbx_meta(m, path).items() if k != ".tag"}})
    if r == "files/delete_v2":
        if path not in tree:
            return _lookup_err("path_lookup", "not_found")
        md = _dbx_meta(m, path)
        for q in [q for q in tree if q == path or q.startswith(path + "/")]:
            tree.pop(q)
        return Response(200, {"metadata": md})
    if r == "files/move_v2":
        src, dst = arg.get("from_path", ""), arg.get("to_path", "")
        if src not in tree:
            return _lookup_err("from_lookup", "not_found")
        tree[dst] = tree.pop(src)
        return Response(200, {"metadata": _dbx_meta(m, dst)})
    if r == "users/get_space_usage":
        return Response(200, {"used": 314159265, "allocation": {".tag": "individual", "allocated": 2147483648}})
    if r == "users/get_current_account":
        return Response(200, {"account_id": "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc", "root_info": {
            ".tag": "user", "root_namespace_id": "3235641", "home_namespace_id": "3235641"}})
    if r == "files/upload_session/start":
        state.setdefault("dbx_up", {})
        sid = "AAAAAAAAAAFk5X3bQ" + uuid.uuid4().hex[:8]
        state["dbx_up"][sid] = req.body
        return Response(200, {"session_id": sid})
    if r == "files/upload_session/append_v2":
        sid = (arg.get("cursor") or {}).get("session_id")
        state.setdefault("dbx_up", {}).setdefault(sid, b"")
        state["dbx_up"][sid] += req.body
        return Response(200, b"null", content_type="application/json")
    if r == "files/upload_session/finish_batch_v2":
        out = []
        for e in arg.get("entries", []):
            sid = (e.get("cursor") or {}).get("session_id")
            p = (e.get("commit") or {}).get("path", "")
            anc = p.split("/")
            if any(tree.get("/".join(anc[:i])) == "file" for i in range(2, len(anc))):
                out.append({".tag": "failure", "failure": {".tag": "path", "path": {
                    ".tag": "conflict", "conflict": {".tag": "file_ancestor"}}}})
                continue
            tree[p] = "file"
            m["sizes"][p] = state.get("dbx_up", {}).get(sid, b"")
            md = _dbx_meta(m, p)
            md.pop(".tag")
            md["client_modified"] = (e.get("commit") or {}).get("client_modified", md["client_modified"])
            out.append(dict({".tag": "success"}, **md))
        return Response(200, {"entries": out})
    if r == "files/upload":
        p = arg.get("path", "")
        tree[p] = "file"
        m["sizes"][p] = req.body
        return Response(200, {k: v for k, v in _dbx_meta(m, p).items() if k != ".tag"})
    return Response(400, f'Unknown API function: "{r}"', content_type="text/plain; charset=utf-8")


# --------------------------------------------------------------------------------------------------------------
NOT_FOUND_TEXT = re.compile(r"directory not found|object not found|is a directory or doesn't exist")


def override(message, fault, code):
    """The printed text decides when it no longer carries the injected fault."""
    if re.search(r"^Fatal error received - not attempting retries$|^Can't retry any of the errors - not attempting "
                 r"retries$", message):
        return "unknown", "consequence line: rclone stops retrying; the cause is printed on another line"
    if fault == "token_500" and re.search(r"(?i)please try again", message):
        return "rate_limited", ("token endpoint 500 whose AADSTS90033 description says 'A transient error has occurred. "
                                "Please try again.'; the brief puts 'please try again' under rate_limited (ambiguous: "
                                "unknown for a bare 500, and rclone's wrapper suggests an expired token)")
    if NOT_FOUND_TEXT.search(message) and not fault.startswith("not_found"):
        return "not_found", (f"the {fault} answer hit rclone's lookup of the path; rclone reports it as missing and "
                             "the text no longer carries the fault")
    if "unexpected end of JSON input" in message and code != "unknown":
        return "unknown", ("Dropbox SDK json.Unmarshal of a truncated (but complete per Content-Length) body: the text "
                           "names a JSON decode failure, not a broken connection")
    if fault == "internal_500" and re.search(r"(last error was:|error in ListJSON:|error listing:|Rmdir:)\s*$", message):
        return "unknown", "empty error text: Dropbox 500 with an empty body; nothing in the text names a cause"
    return code, None
