#!/usr/bin/env python3
"""Transport-level SMB fakes (no SMB2 protocol): usage smbfake.py PORT MODE
MODE: rst (RST right after accept), eof (read request, close), garbage (answer with a non-SMB HTTP reply),
silent (read request, never answer)."""
import socket, struct, sys, threading, time
port, mode = int(sys.argv[1]), sys.argv[2]
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(16)
print("listening", port, mode, flush=True)

def serve(c):
    try:
        if mode == "rst":
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close(); return
        c.settimeout(60)
        c.recv(65536)
        if mode == "eof":
            c.close(); return
        if mode == "garbage":
            c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"); time.sleep(0.2); c.close(); return
        if mode == "silent":
            time.sleep(45); c.close(); return
    except Exception:
        pass

while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
