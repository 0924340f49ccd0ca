"""rcd memory per job: N copyfile dry-run jobs, async, own _group each, as the Worker sends them."""
import http.client, json, os, subprocess, sys, threading, time, socket, base64, tempfile

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def main():
    n = int(sys.argv[1]); expire = sys.argv[2]; delete = sys.argv[3] == "delete"; label = sys.argv[4]
    extra = sys.argv[5:]
    work = tempfile.mkdtemp(prefix="rcdexp-")
    src = os.path.join(work, "in"); os.makedirs(src)
    with open(os.path.join(src, "f.bin"), "wb") as f: f.write(os.urandom(1024))
    port = free_port()
    conf = os.path.join(work, "rclone.conf"); open(conf, "w").close()
    proc = subprocess.Popen(["rclone", "rcd", "--rc-addr", f"127.0.0.1:{port}", "--rc-user", "u", "--rc-pass", "p",
                             "--rc-job-expire-duration", expire, "--config", conf, "--log-level", "ERROR"] + extra,
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "rcd.log"), "w"))
    auth = "Basic " + base64.b64encode(b"u:p").decode()
    local = threading.local()
    def call(method, body):
        c = getattr(local, "c", None)
        if c is None:
            c = local.c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("POST", "/" + method, json.dumps(body), {"Content-Type": "application/json", "Authorization": auth})
        r = c.getresponse(); data = json.loads(r.read())
        if r.status != 200: raise RuntimeError(f"{method}: {r.status} {data}")
        return data
    for _ in range(100):
        try: call("rc/noop", {}); break
        except Exception: local.c = None; time.sleep(0.1)
    def rss():
        with open(f"/proc/{proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS"): return int(line.split()[1]) / 1024
    def row(done, t0):
        m = call("core/memstats", {})
        groups = len(call("core/group-list", {}).get("groups") or [])
        jl = call("job/list", {})
        load = os.getloadavg()[0]
        print(f"{label}\t{done}\t{time.time()-t0:.0f}\t{rss():.1f}\t{m['HeapInuse']/2**20:.1f}\t{m['HeapAlloc']/2**20:.1f}\t{groups}\t{len(jl.get('jobids') or [])}\t{load:.1f}", flush=True)
    lock = threading.Lock(); counter = [0]
    def worker():
        while True:
            with lock:
                i = counter[0]; counter[0] += 1
            if i >= n: return
            group = f"rcmd/{i}/1"
            jid = call("operations/copyfile", {"srcFs": src, "srcRemote": "f.bin", "dstFs": os.path.join(work, "out", f"d{i%1000:03d}"),
                       "dstRemote": f"f{i:07d}.bin", "_async": True, "_group": group, "_config": {"DryRun": True}})["jobid"]
            delay = 0.02
            while True:
                time.sleep(delay); delay = min(delay * 2, 1)
                if call("job/status", {"jobid": jid})["finished"]: break
            call("core/stats", {"group": group})
            if delete: call("core/stats-delete", {"group": group})
    t0 = time.time(); row(0, t0)
    step = n // 4
    threads = []
    for _ in range(8):
        t = threading.Thread(target=worker); t.start(); threads.append(t)
    last = 0
    while any(t.is_alive() for t in threads):
        time.sleep(1)
        if counter[0] - last >= step: last = counter[0]; row(min(last, n), t0)
    for t in threads: t.join()
    row(n, t0)
    time.sleep(45); call("rc/noop", {}); row(n, t0)  # after the expiry (if short) and a GC cycle or two
    proc.terminate(); proc.wait()
if __name__ == "__main__":
    main()
