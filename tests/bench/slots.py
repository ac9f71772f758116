#!/usr/bin/env python3
"""Free slots for the booking benchmark, from clinicd's own availability endpoint.

For each practitioner id in IDS_FILE (one per line) it asks
GET /api/v1/practitioners/{id}/availability?from=FROM&to=TO (the practitioner's
default service: the one availability picks without ?service=), then keeps slots
that do not overlap each other, buffers included: a slot is kept when it starts at
least GAP minutes after the end of the last kept one (GAP >= the largest
buffer_before + buffer_after of any service).  So every kept slot can be booked
independently of the others.

  --out FILE          free slots of every practitioner but the first, interleaved
                      (slot 1 of each practitioner, then slot 2 of each, ...) so that
                      concurrent bookings hit different practitioners
  --contended FILE    N slots of the first practitioner (--contended-slots N)

Each output line: practitioner_id service_id start   (start as the endpoint wrote it)

Only talks to 127.0.0.1.  Exits 1 when it found no slot at all.
"""
import argparse
import http.client
import json
import sys
import threading
import time
from datetime import datetime


def parse_instant(s):
    # 2026-11-24T09:00:00+01:00 or ...Z
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ids", required=True)
    ap.add_argument("--from", dest="frm", required=True)
    ap.add_argument("--to", required=True)
    ap.add_argument("--gap-minutes", type=int, default=60)
    ap.add_argument("--out", required=True)
    ap.add_argument("--contended", required=True)
    ap.add_argument("--contended-slots", type=int, default=20)
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=30.0)
    a = ap.parse_args()

    ids = [l.strip() for l in open(a.ids) if l.strip()]
    if len(ids) < 2:
        sys.exit("slots.py: need at least two practitioner ids")
    results = [None] * len(ids)
    errors = []
    lock = threading.Lock()
    next_i = [0]
    deadline = time.monotonic() + 300

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=a.timeout)
        while time.monotonic() < deadline:
            with lock:
                i = next_i[0]
                next_i[0] += 1
            if i >= len(ids):
                break
            path = "/api/v1/practitioners/%s/availability?from=%s&to=%s" % (ids[i], a.frm, a.to)
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                body = resp.read()
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=a.timeout)
                with lock:
                    errors.append("%s: %s" % (path, e))
                continue
            if resp.status != 200:
                with lock:
                    errors.append("%s: HTTP %d %s" % (path, resp.status, body[:200]))
                continue
            doc = json.loads(body)
            kept = []
            last_end = None
            for s in doc.get("slots", []):
                st, en = parse_instant(s["start"]), parse_instant(s["end"])
                if last_end is None or st >= last_end + a.gap_minutes * 60:
                    kept.append(s["start"])
                    last_end = en
            results[i] = (doc["service_id"], kept)
        conn.close()

    t0 = time.monotonic()
    workers = [threading.Thread(target=worker) for _ in range(max(1, a.parallel))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()

    with open(a.contended, "w") as f:
        r = results[0]
        n = 0
        if r:
            for st in r[1][: a.contended_slots]:
                f.write("%s %s %s\n" % (ids[0], r[0], st))
                n += 1
    if n < a.contended_slots:
        print("slots.py: warning: only %d contended slots (wanted %d)" % (n, a.contended_slots),
              file=sys.stderr)

    free = 0
    with open(a.out, "w") as f:
        lists = [(ids[i], results[i]) for i in range(1, len(ids)) if results[i]]
        depth = max((len(r[1]) for _, r in lists), default=0)
        for k in range(depth):
            for pid, (svc, starts) in lists:
                if k < len(starts):
                    f.write("%s %s %s\n" % (pid, svc, starts[k]))
                    free += 1
    print("slots.py: %d free slots of %d practitioners, %d contended, %d errors, %.1f s"
          % (free, sum(1 for r in results[1:] if r and r[1]), n, len(errors),
             time.monotonic() - t0), file=sys.stderr)
    for e in errors[:5]:
        print("slots.py:   " + e, file=sys.stderr)
    if free == 0:
        sys.exit(1)


if __name__ == "__main__":
    main()
