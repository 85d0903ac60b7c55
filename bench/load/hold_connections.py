#!/usr/bin/env python3
"""Opens N keep-alive connections to a server, makes one request on each, and holds them idle.

Usage: hold_connections.py HOST PORT N READY_FILE DONE_FILE
Writes READY_FILE once every connection has had its answer, waits until DONE_FILE exists, then
writes to DONE_FILE how many of the N connections the server had closed meanwhile and exits.
"""
import os
import resource
import socket
import sys
import time

host, port, n, ready, done = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n + 64)), hard))
request = f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
conns = []
for _ in range(n):
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(request)
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
        chunk = s.recv(4096)
        if not chunk:
            break
        answer += chunk
    conns.append(s)
open(ready, "w").write(f"{len(conns)}\n")
while not os.path.exists(done):
    time.sleep(0.1)
closed = 0
for s in conns:
    s.setblocking(False)
    try:
        if s.recv(1) == b"":
            closed += 1
    except BlockingIOError:
        pass
    except OSError:
        closed += 1
open(done, "w").write(f"{closed}\n")
