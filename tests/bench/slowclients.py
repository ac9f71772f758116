#!/usr/bin/env python3
"""Slow and idle clients (slowloris style) against clinicd, on 127.0.0.1 only.

Opens --conns connections to 127.0.0.1:PORT.  A share of them (--idle-share) send
nothing at all; the rest send a partial request ("GET /healthz HTTP/1.1", a Host
header) and then one more header line every --trickle seconds, never the blank line
that ends the headers.  While they are held open, a prober makes normal requests one
after another, each on a new connection (the paths given with --probe, in turn), and
times them (up to --probe-timeout each; a timeout or an error counts as failed).
Connecting them all may take up to 30 s (then the rest count as refused); everything
stops --seconds after that; the script closes its sockets and exits by itself.

Prints (the bench parses these):
  slowclients: opened=N refused=N open_s=T closed_idle=N closed_slow=N open_at_end=N first_close_s=T
  slowclients: probes=N ok=N failed=N p50_ms=X p99_ms=X max_ms=X
  slowclients: server threads=N rss_kib=N      (with --pid, sampled half-way)
"""
import argparse
import os
import selectors
import signal
import socket
import sys
import threading
import time


def pct(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    i = max(0, min(len(sorted_vals) - 1, int(len(sorted_vals) * p) - 1))
    return sorted_vals[i]


def proc_status(pid):
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                out[k] = v.strip()
    except OSError:
        pass
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--conns", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--trickle", type=float, default=5)
    ap.add_argument("--idle-share", type=float, default=0.2)
    ap.add_argument("--probe", action="append", default=[])
    ap.add_argument("--probe-timeout", type=float, default=5)
    ap.add_argument("--pid", type=int, default=0)
    a = ap.parse_args()
    if not a.probe:
        a.probe = ["/healthz"]
    host = "127.0.0.1"
    # a hard stop, whatever happens
    signal.signal(signal.SIGALRM, lambda *_: os._exit(3))
    signal.alarm(int(a.seconds + a.probe_timeout + 60))

    t0 = time.monotonic()
    open_by = t0 + 30  # at most this long to connect them all
    socks = {}   # fd -> (socket, kind, lines sent)
    refused = 0
    n_idle = int(a.conns * a.idle_share)
    for i in range(a.conns):
        kind = "idle" if i < n_idle else "slow"
        if time.monotonic() > open_by:
            refused += a.conns - i
            break
        try:
            s = socket.create_connection((host, a.port), timeout=2)
            if kind == "slow":
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            s.setblocking(False)
            socks[s.fileno()] = [s, kind, 0]
        except OSError:
            refused += 1
    opened = len(socks)
    t_open = time.monotonic() - t0
    deadline = time.monotonic() + a.seconds
    closed = {"idle": 0, "slow": 0}
    first_close = None

    lat = []
    failed = [0]
    stop = threading.Event()

    def probe():
        i = 0
        while not stop.is_set() and time.monotonic() < deadline - 0.2:
            path = a.probe[i % len(a.probe)]
            i += 1
            start = time.monotonic()
            ok = False
            try:
                c = socket.create_connection((host, a.port), timeout=a.probe_timeout)
                c.settimeout(max(0.1, a.probe_timeout - (time.monotonic() - start)))
                c.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                           % path).encode())
                data = b""
                while True:
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                c.close()
                ok = data.startswith(b"HTTP/1.1 200") or data.startswith(b"HTTP/1.0 200")
            except OSError:
                ok = False
            ms = (time.monotonic() - start) * 1000
            if ok:
                lat.append(ms)
            else:
                failed[0] += 1
                lat.append(max(ms, a.probe_timeout * 1000))
            time.sleep(0.02)

    prober = threading.Thread(target=probe)
    prober.start()

    sel = selectors.DefaultSelector()  # epoll: select() stops at 1024 descriptors
    for fd, entry in socks.items():
        sel.register(entry[0], selectors.EVENT_READ, fd)
    sampled = {}
    next_trickle = time.monotonic() + a.trickle
    half = time.monotonic() + a.seconds / 2
    while time.monotonic() < deadline:
        now = time.monotonic()
        if a.pid and not sampled and now >= half:
            sampled = proc_status(a.pid)
        # connections the server closed (or answered: it then closes them too)
        if socks:
            r = [key.data for key, _ in sel.select(min(0.5, max(0.0, deadline - now)))]
        else:
            time.sleep(min(0.5, max(0.0, deadline - now)))
            r = []
        for fd in r:
            if fd not in socks:
                continue
            s, kind, _ = socks[fd]
            try:
                data = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data or data.startswith(b"HTTP/"):
                closed[kind] += 1
                if first_close is None:
                    first_close = time.monotonic() - t0
                sel.unregister(s)
                s.close()
                del socks[fd]
        if time.monotonic() >= next_trickle:
            next_trickle += a.trickle
            for fd in list(socks.keys()):
                entry = socks[fd]
                if entry[1] != "slow":
                    continue
                entry[2] += 1
                try:
                    entry[0].send(b"X-Slow-%d: %d\r\n" % (entry[2], entry[2]))
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    closed["slow"] += 1
                    if first_close is None:
                        first_close = time.monotonic() - t0
                    sel.unregister(entry[0])
                    entry[0].close()
                    del socks[fd]
    stop.set()
    prober.join()
    open_at_end = len(socks)
    for s, _, _ in socks.values():
        s.close()

    v = sorted(lat)
    print("slowclients: opened=%d refused=%d open_s=%.1f closed_idle=%d closed_slow=%d open_at_end=%d first_close_s=%s"
          % (opened, refused, t_open, closed["idle"], closed["slow"], open_at_end,
             "%.1f" % first_close if first_close is not None else "-"))
    print("slowclients: probes=%d ok=%d failed=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f"
          % (len(v), len(v) - failed[0], failed[0], pct(v, 0.5), pct(v, 0.99),
             v[-1] if v else float("nan")))
    if a.pid:
        print("slowclients: server threads=%s rss_kib=%s"
              % (sampled.get("Threads", "?"), sampled.get("VmRSS", "? kB").split()[0]))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
