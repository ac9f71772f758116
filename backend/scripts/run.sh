#!/usr/bin/env bash
# make run: the service on http://127.0.0.1:$PORT with the notification worker beside
# it and a local SMTP server whose mail lands in var/mail/ (a Maildir: each message a
# file in var/mail/new/).  Ctrl-C stops all three.
#
# Usage: backend/scripts/run.sh BUILD_DIR PG_DIR PG_PORT DB PORT
set -euo pipefail
build=$1 pgdir=$2 pgport=$3 db=$4 port=$5
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# a Maildir: aiosmtpd writes into tmp/ and moves to new/
mkdir -p "$root/var/mail/tmp" "$root/var/mail/new" "$root/var/mail/cur"

# a notification key, made once, so that mails can carry the manage link
keyfile=$root/var/notification.key
if [ ! -s "$keyfile" ]; then
  (umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$keyfile")
fi
export CLINICD_NOTIFICATION_KEY
CLINICD_NOTIFICATION_KEY=$(cat "$keyfile")
# the audit log's key for hashing addresses, made once and kept like the one above
auditkeyfile=$root/var/audit.key
if [ ! -s "$auditkeyfile" ]; then
  (umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$auditkeyfile")
fi
export CLINICD_AUDIT_KEY
CLINICD_AUDIT_KEY=$(cat "$auditkeyfile")
export DATABASE_URL
DATABASE_URL=$(bash "$here/pg.sh" url "$pgdir" "$pgport" "$db" clinicd)
export PORT=$port
export CLINICD_PUBLIC_BASE_URL=http://127.0.0.1:$port
smtp_port=${SMTP_PORT:-2525}
export CLINICD_SMTP_URL=smtp://127.0.0.1:$smtp_port

pids=()
stop() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$root/var/mail" &
pids+=($!)
"$build/clinicd" worker &
pids+=($!)
echo "clinicd: http://127.0.0.1:$port  (mail to patients lands in var/mail/new/; Ctrl-C stops)"
"$build/clinicd" serve &
pids+=($!)
wait "${pids[-1]}"
