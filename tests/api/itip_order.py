#!/usr/bin/python3
"""iTIP order with an independent parser (Debian's python3-icalendar).

Reads the calendar files named on the command line (the attachments of one booking's
mails, in the order the changes happened) and prints JSON:
  files:  for each file, its METHOD and each VEVENT's UID, SEQUENCE, DTSTAMP, STATUS
          and DTSTART (UTC, ISO);
  orders: for every order the files could arrive in (all permutations up to 6 files),
          the state a calendar ends with when it applies them as RFC 5546 says: a
          message replaces what it holds for a UID only when its SEQUENCE is higher,
          or equal with a later DTSTAMP; a CANCEL marks the event cancelled.
          Each order's result: {uid: [status, dtstart]}.
"""
import itertools
import json
import sys

from icalendar import Calendar


def events(path):
    with open(path, 'rb') as f:
        cal = Calendar.from_ical(f.read())
    method = str(cal.get('METHOD', ''))
    out = []
    for ev in cal.walk('VEVENT'):
        status = str(ev.get('STATUS', 'CONFIRMED'))
        if method == 'CANCEL':
            status = 'CANCELLED'
        out.append({
            'uid': str(ev['UID']),
            'sequence': int(ev.get('SEQUENCE', 0)),
            'dtstamp': ev.decoded('DTSTAMP').isoformat(),
            'stamp_ts': ev.decoded('DTSTAMP').timestamp(),
            'status': status,
            'dtstart': ev.decoded('DTSTART').timestamp(),
        })
    return method, out


def apply(order, parsed):
    held = {}
    for i in order:
        for ev in parsed[i][1]:
            key = (ev['sequence'], ev['stamp_ts'])
            cur = held.get(ev['uid'])
            if cur is None or key > (cur['sequence'], cur['stamp_ts']):
                held[ev['uid']] = ev
    return {uid: [ev['status'], ev['dtstart']] for uid, ev in held.items()}


def main():
    paths = sys.argv[1:]
    parsed = [events(p) for p in paths]
    files = [{'method': m, 'events': evs} for m, evs in parsed]
    idx = list(range(len(paths)))
    perms = itertools.permutations(idx) if len(idx) <= 6 else [idx, idx[::-1]]
    orders = [{'order': list(p), 'result': apply(p, parsed)} for p in perms]
    json.dump({'files': files, 'orders': orders}, sys.stdout)


if __name__ == '__main__':
    main()
