#!/usr/bin/env bash
# The whole suite on a throwaway PostgreSQL cluster and free ports: unit tests, then
# the API tests and the browser tests (tests/browser, screenshots in
# tests/out/screenshots) against a live clinicd.  Tears everything down at the end.
#
# Usage: tests/run.sh BUILD_DIR      (make test calls it)
# ONLY="tests/api/notify.test.mjs tests/faults/x.test.mjs" runs the unit tests and just
# those node suites (make test ONLY=...), for working on one part.
set -uo pipefail
build=${1:-build}
root=$(pwd)
out=$root/tests/out
mkdir -p "$out"
pg="$root/backend/scripts/pg.sh"
pgdir=$root/var/pgtest-$$
db=clinicd_test
server_pid=

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  bash "$pg" destroy "$pgdir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# leftovers of runs that were killed
for old in "$root"/var/pgtest-*; do
  [ -d "$old" ] && ! kill -0 "${old##*-}" 2>/dev/null && bash "$pg" destroy "$old" >/dev/null 2>&1
done
pg_port=$(bash "$pg" freeport)
bash "$root/backend/scripts/setup-db.sh" "$pgdir" "$pg_port" "$db" "$build/clinicd" \
  > "$out/setup.log" 2>&1 || { cat "$out/setup.log"; echo "setup: 0 passed, 1 failed"; exit 1; }

export DATABASE_URL
DATABASE_URL=$(bash "$pg" url "$pgdir" "$pg_port" "$db" clinicd)
export OWNER_DATABASE_URL
OWNER_DATABASE_URL=$(bash "$pg" url "$pgdir" "$pg_port" "$db" clinicd_owner)
export PG_DIR=$pgdir
http_port=$(bash "$pg" freeport)
export BASE_URL=http://127.0.0.1:$http_port
export CLINICD_BIN=$root/$build/clinicd
# a notification key, as make run makes one, so that mails carry the manage link
export CLINICD_NOTIFICATION_KEY
CLINICD_NOTIFICATION_KEY=${CLINICD_NOTIFICATION_KEY:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
# and the audit log's key for hashing addresses (tests/api/lost-links.test.mjs checks
# the audit row's hash against it)
export CLINICD_AUDIT_KEY
CLINICD_AUDIT_KEY=${CLINICD_AUDIT_KEY:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}

# A sanitized server stops at the first memory or undefined-behaviour error.  Leaks
# are checked by valgrind on the unit tests instead: at exit the server's threads
# still hold what libmicrohttpd and jansson keep for them, which reads as leaks.
[ -z "${SANITIZE:-}" ] || export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
# The shared server runs without the per-address limit on patients' writes: every
# suite books from 127.0.0.1, hundreds of times.  tests/api/hoarding.test.mjs starts
# a clinicd of its own with the limit as shipped (config/clinicd.conf) to test it.
# It also waits 120 s rather than 10 for a kept-alive connection's next request head:
# a suite that blocks its event loop longer than that (running the command line,
# compiling a validator) reuses its idle connection afterwards without having seen the
# server close it, and fails with "other side closed".  tests/faults/fairness.test.mjs
# tests the shipped 10 s on a clinicd of its own.
PORT=$http_port CLINICD_PATIENT_WRITES_PER_HOUR=0 CLINICD_HTTP_HEAD_TIMEOUT_S=120 "$build/clinicd" serve \
  > "$out/server.log" 2> "$out/server.err" &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fs "$BASE_URL/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
if ! curl -fs "$BASE_URL/healthz" >/dev/null; then
  cat "$out/server.err"
  echo "server: 0 passed, 1 failed"
  exit 1
fi

failed=0
passed=0
count() { # count SUITE OUTPUT_FILE: reads "N passed, N failed" from the runner's summary
  local p f
  p=$(grep -Eo '^(# |ℹ )pass [0-9]+|^[a-z]+: [0-9]+ passed' "$2" | tail -1 | grep -Eo '[0-9]+')
  f=$(grep -Eo '^(# |ℹ )fail [0-9]+|[0-9]+ failed' "$2" | tail -1 | grep -Eo '[0-9]+')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
}

echo "== layering (tests/layering/check.py: SQL only in store/ and db/, no upward include, no circle, short functions)"
python3 tests/layering/check.py 2>&1 | grep -v '^pending' | tee "$out/layering.log"
count layering "$out/layering.log"

# The plain pass runs the unit tests under valgrind (no errors, no leaks); the
# sanitizer pass runs them built with ASan and UBSan instead.
if [ -z "${SANITIZE:-}" ] && command -v valgrind >/dev/null; then
  export UNIT_WRAPPER="valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1 -q"
  echo "== unit tests (under valgrind)"
else
  echo "== unit tests"
fi
mapfile -t unit_bins < <(find "$build/tests" -maxdepth 1 -type f -name 'test_*' ! -name '*.*' | sort)
bash tests/run-unit.sh "${unit_bins[@]}" 2>&1 | tee "$out/unit.log"
unit_rc=${PIPESTATUS[0]}
count unit "$out/unit.log"

echo "== API tests against $BASE_URL"
if [ -n "${ONLY:-}" ]; then
  # shellcheck disable=SC2086
  node --test --test-concurrency=1 --test-reporter=spec $ONLY 2>&1 | tee "$out/api.log"
else
  node --test --test-concurrency=1 --test-reporter=spec tests/api/ 2>&1 | tee "$out/api.log"
fi
api_rc=${PIPESTATUS[0]}
count api "$out/api.log"
# a runner that failed without counting a failure (a crash) still fails the run
[ "$unit_rc" -eq 0 ] || [ "$failed" -gt 0 ] || failed=$((failed + 1))
[ "$api_rc" -eq 0 ] || [ "$failed" -gt 0 ] || failed=$((failed + 1))

# The sanitizer pass (make test SANITIZE=...) runs the unit and API suites against
# the sanitized server; the browser suite exercises the same API and is left to the
# plain pass, which keeps the two passes within the time budget.
if [ -z "${SANITIZE:-}" ] && [ -z "${ONLY:-}" ]; then
  echo "== browser tests (chromium, axe-core) against $BASE_URL"
  failed_before=$failed
  node --test --test-concurrency=1 --test-reporter=spec tests/browser/ 2>&1 | tee "$out/browser.log"
  browser_rc=${PIPESTATUS[0]}
  count browser "$out/browser.log"
  [ "$browser_rc" -eq 0 ] || [ "$failed" -gt "$failed_before" ] || failed=$((failed + 1))
fi

if [ -z "${SANITIZE:-}" ] && [ -z "${ONLY:-}" ]; then
  echo "== fuzzing (regression cases, then a short run of each harness; make fuzz runs longer)"
  failed_before=$failed
  bash tests/fuzz/run.sh "${FUZZ_SECONDS:-5}" 2>&1 | tee "$out/fuzz.log"
  fuzz_rc=${PIPESTATUS[0]}
  count fuzz "$out/fuzz.log"
  [ "$fuzz_rc" -eq 0 ] || [ "$failed" -gt "$failed_before" ] || failed=$((failed + 1))
fi

if [ -z "${SANITIZE:-}" ] && [ -z "${ONLY:-}" ]; then
  # faults.test.mjs kills its own cluster and clinicd; hostile.test.mjs goes at the
  # shared server, last, so that the shutdown check below also shows it survived
  echo "== fault and hostile-client tests"
  failed_before=$failed
  node --test --test-concurrency=1 --test-reporter=spec tests/faults/ 2>&1 | tee "$out/faults.log"
  faults_rc=${PIPESTATUS[0]}
  count faults "$out/faults.log"
  [ "$faults_rc" -eq 0 ] || [ "$failed" -gt "$failed_before" ] || failed=$((failed + 1))
fi

echo "== graceful shutdown"
kill -TERM "$server_pid"
if wait "$server_pid"; then
  passed=$((passed + 1)); echo "ok: clinicd stopped cleanly on SIGTERM"
else
  failed=$((failed + 1)); echo "not ok: clinicd exited non-zero on SIGTERM"; tail -5 "$out/server.err"
fi
server_pid=

if grep -qE "runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer" "$out/server.err" 2>/dev/null; then
  failed=$((failed + 1))
  echo "not ok: the sanitizers reported errors in the server (tests/out/server.err):"
  grep -E -A5 "runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer" "$out/server.err" | head -40
elif [ -n "${SANITIZE:-}" ]; then
  passed=$((passed + 1)); echo "ok: no sanitizer reports from the server"
fi

echo "all: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
