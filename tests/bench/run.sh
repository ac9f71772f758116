#!/usr/bin/env bash
# make bench: clinicd against PostgreSQL itself, on one throwaway cluster.
#
#   1. a fresh PostgreSQL cluster (var/bench-<pid>, free port) seeded with 100k
#      practitioners by backend/scripts/setup-db.sh, plus pgbench tables (scale 10)
#   2. pgbench -S -M prepared (the reference: the cheapest read PostgreSQL can serve)
#   3. for each clinicd configuration: start build/clinicd serve, then with wrk
#        - the profile, GET /api/v1/practitioners/{id} over 1000 real ids
#        - the nearby search, 25 km around points near the demo cities, technique=MFR
#      and the server's peak RSS (VmHWM)
#   4. the table (also tests/out/bench.txt) with PASS/FAIL against the targets
# Everything it started is stopped and removed on exit, whatever happens.
#
# Usage: tests/bench/run.sh [BUILD_DIR]      (make bench calls it with build)
#
# Environment (defaults in brackets):
#   BENCH_DURATION [10]       seconds per measured run (wrk and pgbench)
#   BENCH_WARMUP [2]          seconds of unmeasured load before each wrk run
#   BENCH_CONNECTIONS [64]    HTTP connections / pgbench clients
#   BENCH_THREADS [2]         wrk / pgbench threads
#   BENCH_PRACTITIONERS [100000]
#   BENCH_CONFIGS ["0:8 4:8"] clinicd configurations, each HTTP_THREADS:DB_POOL_SIZE
#                             (0 = a thread per connection, N = pool of N threads)
#   BENCH_STRICT [0]          1: exit non-zero when a target is missed, too
#
# Exit status: 0 when every run was valid (all answers 2xx, no socket errors), even if
# targets are missed (they print FAIL); 1 on invalid runs or set-up errors.
#
# Why db_pool_size 8 (CLINICD_DB_POOL_SIZE): wrk, clinicd and PostgreSQL share the 2
# CPUs of the bench machine, so database connections beyond a few per core only add
# context switches and lock traffic in PostgreSQL.  Sweep with BENCH_CONFIGS="0:2 0:4
# 0:8 0:16 0:32" (64 connections, 100k practitioners, 2 CPUs, a busy machine, so +-10%):
#   db pool            2      4      8     16     32
#   profile req/s   2831   3166   3576   3350   3113   (p99 55, 72, 53, 46, 148 ms)
#   search          every size ~25-32 req/s and 503s (pool checkout timeouts: 250, 232,
#                   185, 119, 36); PostgreSQL CPU per search grows with the pool
#                   (42, 46, 55, 74, 90 ms): more concurrent queries only contend.
# 8 is the best profile throughput; 16 is as good; 2-4 starve it, 32 hurts p99.  (4 x
# cores; in thread-pool mode only http_threads requests can hold a connection at once.)
# The other files here: paths.lua (wrk: rotate over a file of paths), explain.sh
# (EXPLAIN ANALYZE of the search and profile SQL as clinicd prepares it), stmt-sql.py.
set -euo pipefail

PROG=bench
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$PROG" "$*" >&2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
build=${1:-build}
case $build in
  /*) bin=$build/clinicd ;;      # e.g. a patched build elsewhere, to compare
  *) bin=$root/$build/clinicd ;;
esac

duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-2}
conns=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
npract=${BENCH_PRACTITIONERS:-100000}
configs=${BENCH_CONFIGS:-"0:8 4:8"}
strict=${BENCH_STRICT:-0}

for v in duration warmup conns threads npract; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number (got '${!v}')"
done
[ "$duration" -ge 1 ] || die "BENCH_DURATION must be at least 1"
for c in $configs; do
  [[ $c =~ ^[0-9]+:[1-9][0-9]*$ ]] || die "BENCH_CONFIGS: '$c' is not HTTP_THREADS:DB_POOL_SIZE (e.g. 0:8 4:8)"
done

# Targets
T_PROFILE_X=0.5    # profile req/s >= 0.5 x pgbench -S TPS
T_SEARCH_X=0.2     # search req/s >= 0.2 x pgbench -S TPS
T_SEARCH_P99=15    # search p99 <= 15 ms
T_RSS_MIB=64       # clinicd peak RSS <= 64 MiB

# --- preconditions -----------------------------------------------------------------------
[ -x "$bin" ] || die "$bin not found or not executable (run 'make build', or make bench)"
# pgbench of the server's version (the /usr/bin one is a wrapper that may pick another)
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
if [ -x "$PG_BINDIR/pgbench" ]; then PGBENCH=$PG_BINDIR/pgbench; else PGBENCH=pgbench; fi
for tool in wrk "$PGBENCH" psql curl awk top; do
  command -v "$tool" >/dev/null || die "'$tool' is not installed (backend/scripts/deps.sh installs it; wrk: apt-get install wrk)"
done
[ -f tests/bench/paths.lua ] || die "tests/bench/paths.lua is missing"

out=$root/tests/out
raw=$out/bench-raw
mkdir -p "$out" "$raw"
pg="$root/backend/scripts/pg.sh"
work=$root/var/bench-$$
pgdir=$work/pg
db=clinicd_bench
server_pid=
load_pid=
postmaster_pid=

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$load_pid" ] && kill -0 "$load_pid" 2>/dev/null; then
    # the load generator (wrk or pgbench) runs in the subshell $load_pid
    local child
    for child in $(ps -o pid= --ppid "$load_pid" 2>/dev/null); do
      kill "$child" 2>/dev/null || true
    done
    kill "$load_pid" 2>/dev/null || true
    wait "$load_pid" 2>/dev/null || true
  fi
  stop_server || true
  bash "$pg" destroy "$pgdir" >/dev/null 2>&1 || note "could not destroy the cluster in $pgdir"
  rm -rf -- "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'note "interrupted"; exit 130' INT
trap 'note "terminated"; exit 143' TERM

# Leftovers of bench runs that were killed (SIGKILL skips the trap): var/bench-<pid>
# whose process is gone.  Never touches anything else under var/.
for old in "$root"/var/bench-*; do
  [ -d "$old" ] || continue
  oldpid=${old##*/bench-}
  [[ $oldpid =~ ^[0-9]+$ ]] || continue
  if ! kill -0 "$oldpid" 2>/dev/null; then
    note "removing leftover $old"
    bash "$pg" destroy "$old/pg" >/dev/null 2>&1 || true
    rm -rf -- "$old"
  fi
done
mkdir -p "$work"

# --- helpers -----------------------------------------------------------------------------
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# CPU time (user + system, in clock ticks) of one process, all its threads.
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
# ... of PostgreSQL: the postmaster with its exited children (cutime + cstime, so that
# pgbench's backends still count after they quit) and its live children.
pg_ticks() {
  local total p t
  [ -n "$postmaster_pid" ] || { echo 0; return; }
  total=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$postmaster_pid/stat" 2>/dev/null || echo 0)
  for p in $(ps -o pid= --ppid "$postmaster_pid" 2>/dev/null); do
    t=$(cpu_ticks "$p")
    total=$((total + t))
  done
  echo "$total"
}
# The whole machine: "busy total" ticks from /proc/stat (all CPUs).
sys_ticks() {
  awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}
# in_background OUTFILE CMD...: runs CMD in a subshell, output to OUTFILE; when it ends,
# OUTFILE.cpu gets its CPU ticks (the subshell's reaped children: CMD).  Sets load_pid.
in_background() {
  local outfile=$1
  shift
  ( "$@" > "$outfile" 2>&1
    rc=$?
    awk '{ print $16 + $17 }' "/proc/$BASHPID/stat" > "$outfile.cpu"
    exit $rc ) &
  load_pid=$!
}
HZ=$(getconf CLK_TCK)
NCPU=$(nproc)

# wrk's latency: 512.00us, 4.89ms, 1.02s, 1.50m -> milliseconds
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    else if (u == "h") n *= 3600000; else if (u != "ms") { print "nan"; exit }
    printf "%.2f", n }'
}

# parse_wrk FILE: sets W_RPS W_P50 W_P99 W_NON2XX W_ERRORS W_REQUESTS
parse_wrk() {
  local f=$1
  W_RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$f")
  W_P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$f")")
  W_P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f")")
  W_NON2XX=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$f")
  W_NON2XX=${W_NON2XX:-0}
  W_ERRORS=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$f")
  W_ERRORS=${W_ERRORS:-0}
  W_REQUESTS=$(awk '/requests in/ { print $1 }' "$f")
  [ -n "$W_RPS" ] && [ -n "$W_REQUESTS" ] || { cat "$f" >&2; die "could not read wrk's output ($f)"; }
}

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    local i
    for i in $(seq 1 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      note "clinicd (pid $server_pid) did not stop on SIGTERM within 10 s; killing it"
      kill -KILL "$server_pid" 2>/dev/null || true
    fi
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}

# --- 1. database -------------------------------------------------------------------------
load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)
if awk -v l="${load_before%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  note "warning: the machine is busy (load average $load_before on $(nproc) CPUs): the numbers will be low and noisy"
fi
t0=$(now)
pg_port=$(bash "$pg" freeport)
note "seeding $npract practitioners into a new cluster on port $pg_port ($pgdir) ..."
# (each line of the log gets the seconds since the start, to see where the time goes)
if ! bash backend/scripts/setup-db.sh "$pgdir" "$pg_port" "$db" "$bin" --practitioners "$npract" 2>&1 |
     while IFS= read -r line; do printf '%7s  %s\n' "$(since "$t0")" "$line"; done > "$raw/setup.log"; then
  tail -n 30 "$raw/setup.log" >&2
  die "database set-up failed (full log: $raw/setup.log)"
fi
grep -h 'seed-demo: [0-9]' "$raw/setup.log" | sed 's/^ *[0-9.]*  //' >&2 || true
note "database ready in $(since "$t0") s"
app_url=$(bash "$pg" url "$pgdir" "$pg_port" "$db" clinicd)
owner_url=$(bash "$pg" url "$pgdir" "$pg_port" "$db" clinicd_owner)
postmaster_pid=$(head -n 1 "$pgdir/data/postmaster.pid" 2>/dev/null || true)
[[ $postmaster_pid =~ ^[0-9]+$ ]] || postmaster_pid=

osql() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$owner_url" "$@"; }

# request paths for wrk
osql -c "SELECT '/api/v1/practitioners/' || p.id FROM practitioners p
          WHERE p.active AND EXISTS (SELECT 1 FROM practitioner_locations pl
                JOIN locations l ON l.id = pl.location_id
                WHERE pl.practitioner_id = p.id AND l.active)
          ORDER BY md5(p.id::text) LIMIT 1000" > "$work/profile.paths"
# ~1000 points within about 5 km of the centre of each demo city (the mean of its
# locations), shuffled; setseed makes the list the same on every run
osql -c "SELECT setseed(0.42)" \
     -c "WITH c AS (SELECT city, country, avg(ST_Y(geog::geometry)) AS lat,
                           avg(ST_X(geog::geometry)) AS lon
                      FROM locations WHERE active GROUP BY city, country ORDER BY city, country),
             n AS (SELECT ceil(1000.0 / count(*))::int AS k FROM c)
         SELECT format('/api/v1/practitioners?near=%s,%s&radius_km=25&technique=MFR&limit=20',
                       round((lat + (random() - 0.5) * 0.1)::numeric, 4),
                       round((lon + (random() - 0.5) * 0.1)::numeric, 4))
           FROM c, n, generate_series(1, n.k)
          ORDER BY random()" | grep '^/' > "$work/search.paths" || true
n_profile=$(wc -l < "$work/profile.paths")
n_search=$(wc -l < "$work/search.paths")
[ "$n_profile" -ge 100 ] || die "only $n_profile practitioners with an active location to ask for"
[ "$n_search" -ge 17 ] || die "only $n_search search points (no locations?)"
ncities=$(osql -c "SELECT count(DISTINCT (city, country)) FROM locations WHERE active")
note "$n_profile profile ids, $n_search search points around $ncities cities"

# --- 2. pgbench -S -----------------------------------------------------------------------
note "pgbench -i -s 10 (as clinicd_owner, in $db) ..."
pgb=(-h 127.0.0.1 -p "$pg_port" -U clinicd_owner)
if ! "$PGBENCH" "${pgb[@]}" -i -s 10 -q "$db" > "$raw/pgbench-init.log" 2>&1; then
  cat "$raw/pgbench-init.log" >&2
  die "pgbench -i failed"
fi
note "pgbench -S -M prepared -c $conns -j $threads -T $duration ..."
# Latencies come from the per-transaction log (a 10% sample is plenty for p50/p99).
sleep 1 # the backend of pgbench -i must be gone (and counted) before the CPU clock starts
pgb_t0=$(pg_ticks)
read -r pgb_s0 pgb_a0 < <(sys_ticks)
in_background "$raw/pgbench.txt" "$PGBENCH" "${pgb[@]}" -S -M prepared -c "$conns" -j "$threads" \
  -T "$duration" -n -l --sampling-rate=0.1 --log-prefix="$work/pgbench" "$db"
if ! wait "$load_pid"; then
  load_pid=
  cat "$raw/pgbench.txt" >&2
  die "pgbench -S failed"
fi
load_pid=
read -r pgb_s1 pgb_a1 < <(sys_ticks)
sleep 0.5 # let the postmaster reap the backends, so that their CPU time is counted
pgb_t1=$(pg_ticks)
pgb_tps=$(awk '/^tps = / { printf "%.0f", $3 }' "$raw/pgbench.txt")
[ -n "$pgb_tps" ] && [ "$pgb_tps" -gt 0 ] || { cat "$raw/pgbench.txt" >&2; die "could not read pgbench's tps"; }
pgb_failed=$(awk '/number of failed transactions:/ { print $5 }' "$raw/pgbench.txt")
[ "${pgb_failed:-0}" = 0 ] || die "pgbench: $pgb_failed failed transactions (see $raw/pgbench.txt)"
# log line: client_id transaction_no time(us) script_no epoch epoch_us
read -r pgb_p50 pgb_p99 < <(cat "$work"/pgbench.* | awk '{ print $3 }' | sort -n |
  awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "nan nan"; exit }
    i50 = int(NR * 0.50); if (i50 < 1) i50 = 1
    i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
    printf "%.2f %.2f\n", v[i50] / 1000, v[i99] / 1000 }')
rm -f "$work"/pgbench.*

# --- 3. clinicd --------------------------------------------------------------------------
invalid=0
rows=()       # printed table lines
verdicts=()   # PASS / FAIL for BENCH_STRICT
cpu_notes=()

fmt_row() { # label rps p50 p99 ratio target verdict
  printf '%-30s %8s %8s %8s %12s   %-22s %s' "$1" "$2" "$3" "$4" "$5" "${6:-}" "${7:-}"
}

# cpu_note NAME CLINICD_TICKS POSTGRES_TICKS LOADGEN_TICKS SYS_BUSY_TICKS SYS_ALL_TICKS REQ_PER_S
# Shares are of the machine's CPU time over the run; "other" is whatever else ran
# (the kernel's own threads, other users' jobs: a shared machine skews the numbers).
cpu_note() {
  awk -v name="$1" -v c="$2" -v p="$3" -v g="$4" -v busy="$5" -v all="$6" -v r="$7" \
      -v hz="$HZ" -v d="$duration" \
    'BEGIN { if (all <= 0) all = 1
             o = busy - c - p - g; if (o < 0) o = 0
             printf "%-18s busy %3.0f%%: clinicd %3.0f%%, postgres %3.0f%%, load generator %3.0f%%, other %3.0f%%;  CPU ms per request: clinicd %.3f, postgres %.3f",
               name, 100 * busy / all, 100 * c / all, 100 * p / all, 100 * g / all, 100 * o / all,
               (r > 0 ? 1000 * c / hz / (r * d) : 0), (r > 0 ? 1000 * p / hz / (r * d) : 0) }'
}

ratio() { awk -v a="$1" -v b="$pgb_tps" 'BEGIN { printf "%.2f", a / b }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "nan" && a + 0 <= b + 0) }'; }

# run_wrk NAME PATHS_FILE: warm-up, measured run, checks; sets W_* (see parse_wrk)
run_wrk() {
  local name=$1 paths=$2
  local file=$raw/$name.txt url=http://127.0.0.1:$http_port
  if [ "$warmup" -gt 0 ]; then
    wrk -t "$threads" -c "$conns" -d "${warmup}s" --timeout 10s -s tests/bench/paths.lua \
      "$url" -- "$paths" > "$raw/$name.warmup.txt" 2>&1 || true
  fi
  local c0 p0 s0 a0
  c0=$(cpu_ticks "$server_pid")
  p0=$(pg_ticks)
  read -r s0 a0 < <(sys_ticks)
  in_background "$file" wrk -t "$threads" -c "$conns" -d "${duration}s" --timeout 10s --latency \
    -s tests/bench/paths.lua "$url" -- "$paths"
  # a snapshot of who uses the CPUs, half-way through
  sleep "$(awk -v d="$duration" 'BEGIN { print d / 2 }')"
  # (the second of two samples a second apart: top's first one averages since start-up)
  top -b -n 2 -d 1 -w 200 2>/dev/null | awk '/^top -/ { n++ } n == 2' | head -n 25 \
    > "$raw/$name.top.txt" || true
  local rc=0
  wait "$load_pid" || rc=$?
  load_pid=
  server_alive "during $name"
  if [ "$rc" != 0 ]; then
    cat "$file" >&2
    die "wrk failed for $name"
  fi
  local c1 p1 s1 a1
  c1=$(cpu_ticks "$server_pid")
  p1=$(pg_ticks)
  read -r s1 a1 < <(sys_ticks)
  parse_wrk "$file"
  cpu_notes+=("$(cpu_note "$name" $((c1 - c0)) $((p1 - p0)) "$(cat "$file.cpu" 2>/dev/null || echo 0)" \
    $((s1 - s0)) $((a1 - a0)) "$W_RPS")")
  if [ "$W_NON2XX" != 0 ] || [ "$W_ERRORS" != 0 ]; then
    invalid=1
    note "!!! $name: $W_NON2XX non-2xx responses and $W_ERRORS socket errors out of $W_REQUESTS requests (see $file and $raw/server-*.err)"
  fi
}

# server_alive WHEN: dies with clinicd's last words if it is gone
server_alive() {
  if ! kill -0 "$server_pid" 2>/dev/null; then
    local rc=0
    wait "$server_pid" || rc=$?
    server_pid=
    tail -n 5 "$raw/server-$tag.err" >&2
    die "clinicd exited $1 (status $rc; a SIGTERM from elsewhere shows as 'stopping with N requests still in flight')"
  fi
}

# the first path of each list must answer 200, with items for the search
sanity() {
  local url=http://127.0.0.1:$http_port code
  code=$(curl -s -o "$work/sanity.json" -w '%{http_code}' "$url$(head -n 1 "$work/profile.paths")")
  [ "$code" = 200 ] || { cat "$work/sanity.json" >&2; die "profile answered $code"; }
  code=$(curl -s -o "$work/sanity.json" -w '%{http_code}' "$url$(head -n 1 "$work/search.paths")")
  [ "$code" = 200 ] || { cat "$work/sanity.json" >&2; die "search answered $code"; }
  local items
  items=$(grep -o '"distance_km"' "$work/sanity.json" | wc -l)
  [ "$items" -gt 0 ] || note "warning: the first search point found nothing ($(head -n 1 "$work/search.paths"))"
}

rows+=("$(fmt_row "pgbench -S (reference)" "$pgb_tps" "$pgb_p50" "$pgb_p99" "1.00")")
cpu_notes+=("$(cpu_note pgbench-S 0 $((pgb_t1 - pgb_t0)) "$(cat "$raw/pgbench.txt.cpu" 2>/dev/null || echo 0)" \
  $((pgb_s1 - pgb_s0)) $((pgb_a1 - pgb_a0)) "$pgb_tps")")
for c in $configs; do
  http_threads=${c%%:*}
  pool=${c##*:}
  if [ "$http_threads" = 0 ]; then mode="thread per connection"; tag=tpc; else mode="pool of $http_threads threads (epoll)"; tag=pool$http_threads; fi
  tag=$tag-db$pool
  http_port=$(bash "$pg" freeport)
  # a no-op, unless migrations/ changed since the set-up (serve refuses a stale schema)
  CLINICD_MIGRATE_URL=$owner_url DATABASE_URL=$app_url "$bin" migrate >> "$raw/setup.log" 2>&1 ||
    { tail -n 5 "$raw/setup.log" >&2; die "clinicd migrate failed"; }
  note "clinicd serve on port $http_port: $mode, db pool $pool ..."
  DATABASE_URL=$app_url PORT=$http_port CLINICD_DB_POOL_SIZE=$pool \
    CLINICD_HTTP_THREADS=$http_threads CLINICD_SHUTDOWN_GRACE_S=2 CLINICD_LOG_LEVEL=warn \
    "$bin" serve > "$work/access-$tag.log" 2> "$raw/server-$tag.err" &
  server_pid=$!
  ready=0
  for _ in $(seq 1 100); do
    kill -0 "$server_pid" 2>/dev/null || break
    if curl -fs "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1; then ready=1; break; fi
    sleep 0.1
  done
  if [ "$ready" != 1 ]; then
    cat "$raw/server-$tag.err" >&2
    die "clinicd did not become ready on port $http_port"
  fi
  sanity

  rows+=("-- clinicd: $mode, db pool $pool")
  note "  profile GET ($((warmup + duration)) s) ..."
  run_wrk "profile-$tag" "$work/profile.paths"
  r=$(ratio "$W_RPS")
  if ge "$r" "$T_PROFILE_X"; then v=PASS; else v=FAIL; fi
  verdicts+=("$v")
  [ "$W_NON2XX" = 0 ] && [ "$W_ERRORS" = 0 ] || v="$v, $W_NON2XX non-2xx/$W_ERRORS errors!"
  rows+=("$(fmt_row "profile GET" "$W_RPS" "$W_P50" "$W_P99" "$r" ">= ${T_PROFILE_X}x" "$v")")

  note "  nearby search ($((warmup + duration)) s) ..."
  run_wrk "search-$tag" "$work/search.paths"
  r=$(ratio "$W_RPS")
  if ge "$r" "$T_SEARCH_X" && le "$W_P99" "$T_SEARCH_P99"; then v=PASS; else v=FAIL; fi
  verdicts+=("$v")
  [ "$W_NON2XX" = 0 ] && [ "$W_ERRORS" = 0 ] || v="$v, $W_NON2XX non-2xx/$W_ERRORS errors!"
  rows+=("$(fmt_row "nearby search 25 km MFR" "$W_RPS" "$W_P50" "$W_P99" "$r" "p99 <= ${T_SEARCH_P99} ms, >= ${T_SEARCH_X}x" "$v")")

  hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")
  pool_line=$(curl -s "http://127.0.0.1:$http_port/metrics" |
    awk '/^clinicd_db_pool_(checkouts|timeouts)_total / { printf "%s=%s ", substr($1, 17), $2 }')
  stop_server
  rss=$(awk -v k="$hwm_kb" 'BEGIN { printf "%.1f", k / 1024 }')
  if le "$rss" "$T_RSS_MIB"; then v=PASS; else v=FAIL; fi
  verdicts+=("$v")
  rows+=("$(printf '%-62s   %-22s %s' "clinicd peak RSS: $rss MiB ($conns connections)" "<= $T_RSS_MIB MiB" "$v")")
  cpu_notes+=("  ($mode, db pool $pool: ${pool_line% })")
done

# --- 4. the table ------------------------------------------------------------------------
{
  printf '%-30s %8s %8s %8s %12s   %-22s %s\n' workload req/s "p50 ms" "p99 ms" "x pgbench -S" target result
  printf '%s\n' "${rows[@]}"
  echo
  echo "wrk -t$threads -c$conns -d${duration}s (+${warmup}s warm-up) and pgbench -S -M prepared -c$conns -j$threads -T$duration,"
  echo "on 127.0.0.1, $npract practitioners; $NCPU CPUs shared by load generator, clinicd and PostgreSQL."
  echo "clinicd: $bin, source $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- backend migrations 2>/dev/null || echo ' + uncommitted changes'); $(date -u '+%Y-%m-%d %H:%M UTC'), load average before: $load_before"
  echo "Where the CPU went during each measured run (from /proc; 100% = all $NCPU CPUs for the run):"
  printf '  %s\n' "${cpu_notes[@]}"
} > "$out/bench.txt"
echo
cat "$out/bench.txt"
echo "(also in tests/out/bench.txt; raw wrk/pgbench output in tests/out/bench-raw/)"

if [ "$invalid" != 0 ]; then
  echo "bench: INVALID: some requests did not get a 2xx answer or failed (marked with '!' above)" >&2
  exit 1
fi
nfail=0
for v in "${verdicts[@]}"; do [ "$v" = PASS ] || nfail=$((nfail + 1)); done
echo "bench: ${#verdicts[@]} targets, $((${#verdicts[@]} - nfail)) met, $nfail missed"
if [ "$strict" = 1 ] && [ "$nfail" -gt 0 ]; then
  exit 1
fi
exit 0
