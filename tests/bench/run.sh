#!/usr/bin/env bash
# make bench: clinicd against PostgreSQL itself, on one throwaway cluster.
#
#   1. a fresh PostgreSQL cluster (var/bench-<pid>, free port) seeded with 100k
#      practitioners by backend/scripts/setup-db.sh (hours, time off and 10 bookings
#      each: 1,000,000 bookings), plus pgbench tables (scale 10)
#   2. the references: pgbench -S -M prepared (the cheapest read PostgreSQL can serve)
#      and pgbench -M prepared tpcb-like (a small write transaction: the yardstick for
#      bookings)
#   3. for each clinicd configuration: start build/clinicd serve, then with wrk
#        - the profile, GET /api/v1/practitioners/{id} over 1000 real ids
#        - the nearby search, 25 km around points near the demo cities, technique=MFR
#        - the search ordered by next_available (same points, 25 km, limit 20)
#        - 30-day availability of one practitioner, over 1000 practitioners with hours
#        - bookings on free slots (found with the availability endpoint by slots.py)
#          and on 20 contended slots that all 64 connections ask for (book.lua)
#        - the sustained mixed load, 60 s: 80% reads, 15% bookings, 5% cancellations,
#          clinicd's RSS sampled every 5 s (mixed.lua)
#      then 500 slow/idle connections while normal requests are timed (slowclients.py),
#      and the server's peak RSS (VmHWM)
#   4. the SQL self-join that finds overlapping active bookings (must be none)
#   5. the table (also tests/out/bench.txt) with PASS/FAIL against the targets
# Everything it started is stopped and removed on exit, whatever happens.
#
# Usage: tests/bench/run.sh [BUILD_DIR]      (make bench calls it with build)
#
# Environment (defaults in brackets):
#   BENCH_DURATION [10]       seconds per measured run (wrk and pgbench)
#   BENCH_WARMUP [2]          seconds of unmeasured load before each read run
#   BENCH_CONNECTIONS [64]    HTTP connections / pgbench clients
#   BENCH_THREADS [2]         wrk / pgbench threads
#   BENCH_PRACTITIONERS [100000]
#   BENCH_BOOKINGS_PER_PRACTITIONER [10]  existing bookings seeded per practitioner
#   BENCH_CONFIGS ["0:8 auto:16"] clinicd configurations, each HTTP_THREADS:DB_POOL_SIZE
#                             (auto:16 is the shipped default: one epoll thread per
#                             CPU, 16 connections, 16 workers for writes)
#                             (0 = a thread per connection, N = pool of N threads)
#   BENCH_BOOK_PRACTITIONERS [500]  practitioners whose free slots are booked, per
#                             configuration (about 100 slots each, 30 days)
#   BENCH_SUSTAINED [1]       0: leave out the sustained mixed load
#   BENCH_SUSTAINED_SECONDS [60]
#   BENCH_SLOW_CONNECTIONS [500]  slow/idle connections (0: leave out that row)
#   BENCH_SLOW_SECONDS [20]
#   BENCH_LIGHT_SECONDS [5]   the searches and availability are also timed on 1
#                             connection for this long (0: not)
#   BENCH_STRICT [0]          1: exit non-zero when a target is missed, too
#   BENCH_COMPARE []          path of another clinicd binary (e.g. the build before a
#                             change): paired mode.  On the same seeded database, in one
#                             sitting, each row (profile GET, nearby search, search
#                             next_available, availability 30 days, bookings on free
#                             slots) is measured alternately with that binary and this
#                             one (other, this, other, this, ...), BENCH_ROUNDS times;
#                             each booking run books its own disjoint, equal share of
#                             the free slots.  The extra table gives per row the median
#                             req/s, p99 and clinicd CPU ms per request of each, this/
#                             other, and each server's peak RSS.  (The machine's speed
#                             drifts by up to 40% between runs minutes apart: two
#                             separate runs cannot show a 10% difference, pairs can.)
#                             The contended bookings, the sustained mix and the slow
#                             clients are left out.  Both servers run from this tree
#                             (working directory $root), on the database that this
#                             tree's binary migrated and seeded: `serve` checks the
#                             migrations/ of its working directory, so the other one
#                             checks this tree's files, and the SQL functions are this
#                             tree's for both (paired mode compares the C code, not a
#                             change to migrations/).  A binary from before
#                             migrations/functions/ (e.g. dbf3a1d) serves such a
#                             database: it checks only the numbered files.  Started in
#                             its own tree it would refuse (its rewritten migrations'
#                             checksums differ), as this one refuses a database only its
#                             tree migrated until `clinicd migrate` adopts the former
#                             checksums (migrations/former-checksums).
#   BENCH_ROUNDS [3]          paired mode: measured runs of each binary per row
#   BENCH_OUT [tests/out]     where bench.txt and bench-raw/ go
#
# Exit status: 0 when every run was valid (no socket errors, no 5xx, and only the
# answers a row expects: 2xx for reads, 201/409 for bookings), even if targets are
# missed (they print FAIL); 1 on invalid runs, double bookings or set-up errors.
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
# The other files here: paths.lua (wrk: rotate over a file of paths), book.lua (wrk:
# bookings), mixed.lua (wrk: the sustained mix), slots.py (free slots to book),
# slowclients.py (slowloris-style clients), explain.sh (EXPLAIN ANALYZE of the search
# and profile SQL as clinicd prepares it), stmt-sql.py.
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
configs=${BENCH_CONFIGS:-"0:8 auto:16"}
strict=${BENCH_STRICT:-0}
bookings_per=${BENCH_BOOKINGS_PER_PRACTITIONER:-10}
book_practitioners=${BENCH_BOOK_PRACTITIONERS:-500}
sustained=${BENCH_SUSTAINED:-1}
sustained_secs=${BENCH_SUSTAINED_SECONDS:-60}
slow_conns=${BENCH_SLOW_CONNECTIONS:-500}
slow_secs=${BENCH_SLOW_SECONDS:-20}
light_secs=${BENCH_LIGHT_SECONDS:-5}
compare=${BENCH_COMPARE:-}
rounds=${BENCH_ROUNDS:-3}

for v in duration warmup conns threads npract bookings_per book_practitioners sustained \
         sustained_secs slow_conns slow_secs light_secs rounds; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number (got '${!v}')"
done
[ "$duration" -ge 1 ] || die "BENCH_DURATION must be at least 1"
[ "$book_practitioners" -ge 2 ] || die "BENCH_BOOK_PRACTITIONERS must be at least 2"
[ "$sustained_secs" -ge 5 ] || die "BENCH_SUSTAINED_SECONDS must be at least 5"
[ "$slow_secs" -ge 2 ] || die "BENCH_SLOW_SECONDS must be at least 2"
[ "$rounds" -ge 1 ] || die "BENCH_ROUNDS must be at least 1"
if [ -n "$compare" ]; then
  case $compare in /*) ;; *) compare=$root/$compare ;; esac
  [ -f "$compare" ] && [ -x "$compare" ] || die "BENCH_COMPARE: $compare is not an executable file"
fi
for c in $configs; do
  [[ $c =~ ^([0-9]+|auto):[1-9][0-9]*$ ]] || die "BENCH_CONFIGS: '$c' is not HTTP_THREADS:DB_POOL_SIZE (e.g. 0:8 auto:16)"
done

# Targets
T_PROFILE_X=0.5    # profile req/s >= 0.5 x pgbench -S TPS
T_SEARCH_X=0.2     # search req/s >= 0.2 x pgbench -S TPS
T_SEARCH_P99=15    # search p99 <= 15 ms
T_RSS_MIB=64       # clinicd peak RSS <= 64 MiB
T_NEXT_P99=25      # search with next_available (sort=next_available): p99 <= 25 ms
T_AVAIL_P99=5      # 30-day availability of one practitioner: p99 <= 5 ms
T_BOOK_X=0.6       # bookings/s on free slots >= 0.6 x pgbench tpcb-like TPS
T_SLOW_MS=1000     # with 500 slow clients connected, normal requests: p99 <= 1 s, all served
T_RSS_GROWTH=20    # sustained load: RSS after the first 15 s grows by at most 20%

# --- preconditions -----------------------------------------------------------------------
[ -x "$bin" ] || die "$bin not found or not executable (run 'make build', or make bench)"
# pgbench of the server's version (the /usr/bin one is a wrapper that may pick another)
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
if [ -x "$PG_BINDIR/pgbench" ]; then PGBENCH=$PG_BINDIR/pgbench; else PGBENCH=pgbench; fi
for tool in wrk "$PGBENCH" psql curl awk top python3 timeout; do
  command -v "$tool" >/dev/null || die "'$tool' is not installed (backend/scripts/deps.sh installs it; wrk: apt-get install wrk)"
done
for f in paths.lua book.lua mixed.lua slots.py slowclients.py; do
  [ -f "tests/bench/$f" ] || die "tests/bench/$f is missing"
done

out=${BENCH_OUT:-$root/tests/out}
case $out in /*) ;; *) out=$root/$out ;; esac
raw=$out/bench-raw
mkdir -p "$out" "$raw"
pg="$root/backend/scripts/pg.sh"
work=$root/var/bench-$$
pgdir=$work/pg
db=clinicd_bench
server_pid=
cmp_pid=()    # paired mode: both servers (other, this)
load_pid=
sampler_pid=
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
  if [ -n "$sampler_pid" ]; then kill "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true; fi
  stop_server || true
  local cp
  for cp in "${cmp_pid[@]}"; do server_pid=$cp; stop_server || true; done
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
# ten existing bookings per practitioner: 1,000,000 at 100,000 practitioners
if ! SEED_BOOKINGS_PER_PRACTITIONER=$bookings_per \
     bash backend/scripts/setup-db.sh "$pgdir" "$pg_port" "$db" "$bin" --practitioners "$npract" 2>&1 |
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
# the cluster's superuser (pg.sh: postgres when run as root), to see every backend's waits
if [ "$(id -u)" = 0 ]; then su_role=postgres; else su_role=$(id -un); fi
su_url=$(bash "$pg" url "$pgdir" "$pg_port" "$db" "$su_role")

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
# the same points ordered by next_available (no technique filter: everyone within 25 km)
sed 's/&technique=MFR&/\&sort=next_available\&/' "$work/search.paths" > "$work/search-next.paths"
# the sustained mix: both kinds of search, in turn
paste -d '\n' "$work/search.paths" "$work/search-next.paths" > "$work/search-mixed.paths"

# practitioners who can be booked: active, with weekly hours and an active service
bookable="p.active AND EXISTS (SELECT 1 FROM weekly_hours h WHERE h.practitioner_id = p.id)
          AND EXISTS (SELECT 1 FROM practitioner_services x JOIN services s ON s.id = x.service_id
                      WHERE x.practitioner_id = p.id AND s.active)"
today=$(date -u +%F)
# 30-day availability (from today to today + 30 days, dates in the practitioner's zone)
osql -c "SELECT format('/api/v1/practitioners/%s/availability?from=%s&to=%s', p.id,
                       '$today', ('$today'::date + 30)::text)
           FROM practitioners p WHERE $bookable
          ORDER BY md5(p.id::text || 'availability') LIMIT 1000" > "$work/avail.paths"
n_profile=$(wc -l < "$work/profile.paths")
n_search=$(wc -l < "$work/search.paths")
n_avail=$(wc -l < "$work/avail.paths")
[ "$n_profile" -ge 100 ] || die "only $n_profile practitioners with an active location to ask for"
[ "$n_search" -ge 17 ] || die "only $n_search search points (no locations?)"
[ "$n_avail" -ge 100 ] || die "only $n_avail practitioners with weekly hours (did seed-schedule run?)"
ncities=$(osql -c "SELECT count(DISTINCT (city, country)) FROM locations WHERE active")
read -r n_bookings n_hours < <(osql -F ' ' -c "SELECT (SELECT count(*) FROM bookings),
                                          (SELECT count(DISTINCT practitioner_id) FROM weekly_hours)")
note "$n_profile profile ids, $n_search search points around $ncities cities, $n_avail practitioners for availability; $n_bookings bookings, $n_hours practitioners with hours"

# Slots to book: free ones at least this far ahead that they can still be cancelled
# online (the clinics' cancellation notice), 30 days of them; kept apart by at least
# the largest buffer_before + buffer_after, so that each can be booked on its own.
read -r max_notice_h book_gap < <(osql -F ' ' -c "SELECT (SELECT coalesce(max(cancellation_notice_hours), 24) FROM clinics),
                                                 (SELECT coalesce(max(buffer_before_minutes + buffer_after_minutes), 0) FROM services)")
book_from=$(date -u -d "$today + $(( (max_notice_h + 23) / 24 + 2 )) days" +%F)
book_to=$(date -u -d "$book_from + 30 days" +%F)

# --- 2. the references: pgbench -S and tpcb-like -----------------------------------------
note "pgbench -i -s 10 (as clinicd_owner, in $db) ..."
pgb=(-h 127.0.0.1 -p "$pg_port" -U clinicd_owner)
if ! "$PGBENCH" "${pgb[@]}" -i -s 10 -q "$db" > "$raw/pgbench-init.log" 2>&1; then
  cat "$raw/pgbench-init.log" >&2
  die "pgbench -i failed"
fi

cpu_notes=()

# cpu_note NAME CLINICD_TICKS POSTGRES_TICKS LOADGEN_TICKS SYS_BUSY_TICKS SYS_ALL_TICKS REQ_PER_S [SECONDS]
# Shares are of the machine's CPU time over the run; "other" is whatever else ran
# (the kernel's own threads, other users' jobs: a shared machine skews the numbers).
cpu_note() {
  awk -v name="$1" -v c="$2" -v p="$3" -v g="$4" -v busy="$5" -v all="$6" -v r="$7" \
      -v hz="$HZ" -v d="${8:-$duration}" \
    'BEGIN { if (all <= 0) all = 1
             o = busy - c - p - g; if (o < 0) o = 0
             printf "%-22s busy %3.0f%%: clinicd %3.0f%%, postgres %3.0f%%, load generator %3.0f%%, other %3.0f%%;  CPU ms per request: clinicd %.3f, postgres %.3f",
               name, 100 * busy / all, 100 * c / all, 100 * p / all, 100 * g / all, 100 * o / all,
               (r > 0 ? 1000 * c / hz / (r * d) : 0), (r > 0 ? 1000 * p / hz / (r * d) : 0) }'
}

# What this cluster's backends were doing, half-way through a run: 10 samples of
# pg_stat_activity, 0.1 s apart, as "what: count" (CPU = active, not waiting;
# idle-in-tx = a transaction waiting for its client: clinicd).  Sets W_WAITS.
sample_waits() {
  local name=$1 args=()
  local q="SELECT CASE WHEN state = 'idle in transaction' THEN 'idle-in-tx'
                       WHEN wait_event IS NULL THEN 'CPU'
                       ELSE wait_event_type || ':' || wait_event END
             FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
              AND state IN ('active', 'idle in transaction')"
  for _ in 1 2 3 4 5 6 7 8 9 10; do args+=(-c "$q" -c "SELECT pg_sleep(0.1)"); done
  psql -X -q -A -t "$su_url" "${args[@]}" 2>/dev/null | grep -v '^$' | sort | uniq -c | sort -rn \
    > "$raw/$name.waits.txt" || true
  W_WAITS=$(awk '{ printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1 }' "$raw/$name.waits.txt")
}

# run_pgbench NAME ARGS...: a measured pgbench run (-M prepared, conns, threads,
# duration) with ARGS; sets B_TPS B_P50 B_P99 and adds the CPU note
run_pgbench() {
  local name=$1
  shift
  sleep 1 # the backends of the last run must be gone (and counted) before the CPU clock starts
  local t0 s0 a0 t1 s1 a1
  t0=$(pg_ticks)
  read -r s0 a0 < <(sys_ticks)
  # Latencies come from the per-transaction log (a 10% sample is plenty for p50/p99).
  in_background "$raw/$name.txt" "$PGBENCH" "${pgb[@]}" "$@" -M prepared -c "$conns" -j "$threads" \
    -T "$duration" -l --sampling-rate=0.1 --log-prefix="$work/$name" "$db"
  sleep "$(awk -v d="$duration" 'BEGIN { print d / 2 }')"
  sample_waits "$name"
  if ! wait "$load_pid"; then
    load_pid=
    cat "$raw/$name.txt" >&2
    die "pgbench ($name) failed"
  fi
  load_pid=
  read -r s1 a1 < <(sys_ticks)
  sleep 0.5 # let the postmaster reap the backends, so that their CPU time is counted
  t1=$(pg_ticks)
  B_TPS=$(awk '/^tps = / { printf "%.0f", $3 }' "$raw/$name.txt")
  [ -n "$B_TPS" ] && [ "$B_TPS" -gt 0 ] || { cat "$raw/$name.txt" >&2; die "could not read pgbench's tps ($name)"; }
  local failed
  failed=$(awk '/number of failed transactions:/ { print $5 }' "$raw/$name.txt")
  [ "${failed:-0}" = 0 ] || die "pgbench: $failed failed transactions (see $raw/$name.txt)"
  # log line: client_id transaction_no time(us) script_no epoch epoch_us
  read -r B_P50 B_P99 < <(cat "$work/$name".* | awk '{ print $3 }' | sort -n |
    awk '{ v[NR] = $1 } END {
      if (NR == 0) { print "nan nan"; exit }
      i50 = int(NR * 0.50); if (i50 < 1) i50 = 1
      i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
      printf "%.2f %.2f\n", v[i50] / 1000, v[i99] / 1000 }')
  rm -f "$work/$name".*
  cpu_notes+=("$(cpu_note "$name" 0 $((t1 - t0)) "$(cat "$raw/$name.txt.cpu" 2>/dev/null || echo 0)" \
    $((s1 - s0)) $((a1 - a0)) "$B_TPS")")
}

note "pgbench -S -M prepared -c $conns -j $threads -T $duration ..."
run_pgbench pgbench-S -S -n
pgb_tps=$B_TPS pgb_p50=$B_P50 pgb_p99=$B_P99
note "pgbench tpcb-like -M prepared -c $conns -j $threads -T $duration ..."
run_pgbench pgbench-tpcb
tpcb_tps=$B_TPS tpcb_p50=$B_P50 tpcb_p99=$B_P99
cpu_notes+=("  (pgbench-tpcb waits: $W_WAITS)")

# --- 3. clinicd --------------------------------------------------------------------------
invalid=0
rows=()       # printed table lines
verdicts=()   # PASS / FAIL for BENCH_STRICT

fmt_row() { # label rps p50 p99 ratio target verdict
  printf '%-30s %8s %8s %8s %10s   %-28s %s' "$1" "$2" "$3" "$4" "$5" "${6:-}" "${7:-}"
}
detail() { rows+=("$(printf '    %s' "$*")"); }

ratio() { awk -v a="$1" -v b="$pgb_tps" 'BEGIN { printf "%.2f -S", a / b }'; }
ratio_tpcb() { awk -v a="$1" -v b="$tpcb_tps" 'BEGIN { printf "%.2f tpcb", a / b }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "nan" && a + 0 <= b + 0) }'; }
verdict() { verdicts+=("$1"); }

# rss_sampler FILE: clinicd's VmRSS (KiB) every 5 s, "seconds KiB" per line, until killed
rss_sampler() {
  local start=$SECONDS
  while kill -0 "$server_pid" 2>/dev/null; do
    printf '%s %s\n' $((SECONDS - start)) "$(awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status" 2>/dev/null)"
    sleep 5
  done
}

# run_wrk NAME SECONDS WARMUP SCRIPT ARGS...: warm-up (if WARMUP > 0), measured run with
# wrk -s SCRIPT -- ARGS, CPU note; sets W_* (see parse_wrk), W_SECS (the run's length),
# W_WAITS, and S_* from a "bench-status:" line if the script printed one.  With
# RSS_LOG set, clinicd's RSS is sampled into it during the measured run.
RSS_LOG=
run_wrk() {
  local name=$1 secs=$2 wu=$3 script=$4
  shift 4
  local file=$raw/$name.txt url=http://127.0.0.1:$http_port
  if [ "$wu" -gt 0 ]; then
    wrk -t "$threads" -c "$conns" -d "${wu}s" --timeout 10s -s "$script" \
      "$url" -- "$@" > "$raw/$name.warmup.txt" 2>&1 || true
  fi
  local c0 p0 s0 a0
  c0=$(cpu_ticks "$server_pid")
  p0=$(pg_ticks)
  read -r s0 a0 < <(sys_ticks)
  in_background "$file" wrk -t "$threads" -c "$conns" -d "${secs}s" --timeout 10s --latency \
    -s "$script" "$url" -- "$@"
  if [ -n "$RSS_LOG" ]; then
    rss_sampler > "$RSS_LOG" &
    sampler_pid=$!
  fi
  # a snapshot of who uses the CPUs, half-way through
  sleep "$(awk -v d="$secs" 'BEGIN { print d / 2 }')"
  # (the second of two samples a second apart: top's first one averages since start-up)
  top -b -n 2 -d 1 -w 200 2>/dev/null | awk '/^top -/ { n++ } n == 2' | head -n 25 \
    > "$raw/$name.top.txt" || true
  sample_waits "$name"
  local rc=0
  wait "$load_pid" || rc=$?
  load_pid=
  if [ -n "$sampler_pid" ]; then
    kill "$sampler_pid" 2>/dev/null || true
    wait "$sampler_pid" 2>/dev/null || true
    sampler_pid=
  fi
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
  W_SECS=$(awk '/requests in/ { sub(/s,?$/, "", $4); print $4 + 0 }' "$file")
  # clinicd CPU ms per request (as in the CPU note)
  W_CPU_MS=$(awk -v c=$((c1 - c0)) -v hz="$HZ" -v r="$W_RPS" -v d="$secs" \
    'BEGIN { printf "%.3f", (r > 0 ? 1000 * c / hz / (r * d) : 0) }')
  cpu_notes+=("$(cpu_note "$name" $((c1 - c0)) $((p1 - p0)) "$(cat "$file.cpu" 2>/dev/null || echo 0)" \
    $((s1 - s0)) $((a1 - a0)) "$W_RPS" "$secs")")
  local st
  st=$(sed -n 's/^bench-status: //p' "$file" | tail -n 1)
  S_2XX=0 S_201=0 S_409=0 S_4XX=0 S_5XX=0 S_REUSED=0 S_READS=0 S_BOOKS=0 S_CANCELS=0 S_CANCELLED=0
  local kv
  for kv in $st; do
    case $kv in
      2xx=*) S_2XX=${kv#*=} ;; 201=*) S_201=${kv#*=} ;; 409=*) S_409=${kv#*=} ;;
      4xx=*) S_4XX=${kv#*=} ;; 5xx=*) S_5XX=${kv#*=} ;; reused=*) S_REUSED=${kv#*=} ;;
      reads=*) S_READS=${kv#*=} ;; books=*) S_BOOKS=${kv#*=} ;; cancels=*) S_CANCELS=${kv#*=} ;;
      cancelled=*) S_CANCELLED=${kv#*=} ;;
    esac
  done
}

# all_2xx NAME: a read run must have had only 2xx answers and no socket errors
all_2xx() {
  if [ "$W_NON2XX" != 0 ] || [ "$W_ERRORS" != 0 ]; then
    invalid=1
    note "!!! $1: $W_NON2XX non-2xx responses and $W_ERRORS socket errors out of $W_REQUESTS requests (see $raw/$1.txt, $raw/server-*.err, and after the run $raw/statuses-*.txt, unexpected-*.log)"
    return 1
  fi
}
# light_wrk NAME PATHS: the same requests on one connection for a few seconds (no
# queueing: the service time itself); adds a detail line.  64 closed-loop connections on
# 2 CPUs make p99 mostly waiting in line (Little's law), this shows what one costs.
light_wrk() {
  local file=$raw/$1.c1.txt
  wrk -t 1 -c 1 -d "${light_secs}s" --timeout 10s --latency -s tests/bench/paths.lua \
    "http://127.0.0.1:$http_port" -- "$2" > "$file" 2>&1 || { cat "$file" >&2; die "wrk failed for $1 (1 connection)"; }
  local rps p50 p99
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$file")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$file")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$file")")
  detail "on 1 connection (${light_secs} s, no queueing): $rps req/s, p50 $p50 ms, p99 $p99 ms"
}

# expected_only NAME: a booking run may answer 2xx and 409, nothing else
expected_only() {
  local bad=0
  if [ "$S_5XX" != 0 ] || [ "$S_4XX" != 0 ] || [ "$W_ERRORS" != 0 ]; then
    invalid=1
    note "!!! $1: $S_5XX 5xx, $S_4XX other 4xx and $W_ERRORS socket errors out of $W_REQUESTS requests (see $raw/$1.txt and $raw/server-*.err)"
    sed -n 's/^bench-first-/    first /p' "$raw/$1.txt" >&2
    bad=1
  fi
  return $bad
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
  code=$(curl -s -o "$work/sanity.json" -w '%{http_code}' "$url$(head -n 1 "$work/avail.paths")")
  [ "$code" = 200 ] || { cat "$work/sanity.json" >&2; die "availability answered $code"; }
  items=$(grep -o '"start"' "$work/sanity.json" | wc -l)
  note "  the first practitioner has $items slots in 30 days"
}

# --- paired mode (BENCH_COMPARE) ----------------------------------------------------------
cmp_rows=()   # the comparison table's lines
declare -A CMP  # "row side what" -> the runs' values, space-separated
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END {
  if (NR == 0) { print "-"; exit }
  if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
cmp_add() { CMP["$1 $2 $3"]="${CMP["$1 $2 $3"]:-} $4"; }
# cmp_start SIDE BIN HTTP_THREADS POOL: starts BIN serve (side 0: other, 1: this) and waits
# until it is ready; dies, with its last words, if it refuses to start
cmp_start() {
  local side=$1 b=$2 ht=$3 pl=$4 port name
  name=${side_name[$side]}-$tag
  port=$(bash "$pg" freeport)
  DATABASE_URL=$app_url PORT=$port CLINICD_DB_POOL_SIZE=$pl CLINICD_HTTP_MAX_PER_IP=0 \
    CLINICD_HTTP_THREADS=$ht CLINICD_SHUTDOWN_GRACE_S=2 CLINICD_LOG_LEVEL=warn \
    CLINICD_PATIENT_WRITES_PER_HOUR=0 \
    "$b" serve > "$work/access-$name.log" 2> "$raw/server-$name.err" &
  cmp_pid[$side]=$!
  cmp_port[$side]=$port
  local ready=0 t_ready
  t_ready=$(now)
  for _ in $(seq 1 1800); do
    kill -0 "${cmp_pid[$side]}" 2>/dev/null || break
    if curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready=1; break; fi
    sleep 0.1
  done
  if [ "$ready" != 1 ]; then
    tail -n 20 "$raw/server-$name.err" >&2
    die "clinicd ($b) did not become ready on port $port (a binary whose migrations/ do not match this tree's refuses to serve: see BENCH_COMPARE above)"
  fi
  note "  ${side_name[$side]} ($b) ready on port $port after $(since "$t_ready") s"
}
# cmp_use SIDE: the next run_wrk measures that server
cmp_use() { server_pid=${cmp_pid[$1]}; http_port=${cmp_port[$1]}; }
side_name=(other this)
side_bin=()
cmp_port=()

# cmp_config MODE HTTP_THREADS POOL: the paired rows of one configuration
cmp_config() {
  local mode=$1 ht=$2 pl=$3 row side r name
  side_bin=("$compare" "$bin")
  cmp_start 0 "$compare" "$ht" "$pl"
  cmp_start 1 "$bin" "$ht" "$pl"
  for side in 0 1; do cmp_use "$side"; sanity; done

  # free slots, found once (with this binary), cut into 2 x rounds equal, disjoint shares
  osql -c "SELECT p.id FROM practitioners p WHERE $bookable
            ORDER BY md5(p.id::text || 'book') OFFSET $((ci * (book_practitioners + 1)))
            LIMIT $((book_practitioners + 1))" > "$work/book-ids-$tag"
  note "  free slots of $book_practitioners practitioners, $book_from to $book_to ..."
  if ! timeout 600 python3 tests/bench/slots.py --port "${cmp_port[1]}" --ids "$work/book-ids-$tag" \
      --from "$book_from" --to "$book_to" --gap-minutes "$book_gap" --out "$work/free-$tag.slots" \
      --contended "$work/contended-$tag.slots" --contended-slots 1 --parallel 4 \
      2> "$raw/slots-$tag.txt"; then
    cat "$raw/slots-$tag.txt" >&2
    die "could not find free slots to book"
  fi
  local n_free share
  n_free=$(wc -l < "$work/free-$tag.slots")
  share=$((n_free / (2 * rounds)))
  [ "$share" -ge 1 ] || die "only $n_free free slots for $((2 * rounds)) booking runs (raise BENCH_BOOK_PRACTITIONERS)"
  note "  $(tail -n 1 "$raw/slots-$tag.txt" | sed 's/^slots.py: //'); $share per booking run"

  local rows_list="profile search nextavail avail book"
  declare -A row_label=([profile]="profile GET" [search]="nearby search 25 km MFR"
    [nextavail]="search next_available 25 km" [avail]="availability 30 days"
    [book]="bookings/s, free slots")
  declare -A row_paths=([profile]=$work/profile.paths [search]=$work/search.paths
    [nextavail]=$work/search-next.paths [avail]=$work/avail.paths)
  local bk=0 rps
  for row in $rows_list; do
    local secs=$((warmup + duration))
    [ "$row" != book ] || secs=$duration
    note "  ${row_label[$row]}: $rounds rounds of other, this ($secs s each) ..."
    for r in $(seq 1 "$rounds"); do
      for side in 0 1; do
        cmp_use "$side"
        name=cmp-$row-$tag-r$r-${side_name[$side]}
        if [ "$row" = book ]; then
          sed -n "$((bk * share + 1)),$(((bk + 1) * share))p" "$work/free-$tag.slots" > "$work/$name.slots"
          bk=$((bk + 1))
          run_wrk "$name" "$duration" 0 tests/bench/book.lua "$work/$name.slots" free "$name-$$" "$threads"
          rps=$(awk -v n="$S_201" -v s="$W_SECS" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
          expected_only "$name" || cmp_add "$row" "$side" bad 1
          [ "$S_409" -le $((W_REQUESTS / 20)) ] || cmp_add "$row" "$side" out 1
          [ "$S_409" -le $((W_REQUESTS / 20)) ] ||
            note "warning: $name: $S_409 of $W_REQUESTS attempts were 409 ($S_REUSED on slots asked for twice: its $share slots ran out; raise BENCH_BOOK_PRACTITIONERS)"
        else
          run_wrk "$name" "$duration" "$warmup" tests/bench/paths.lua "${row_paths[$row]}"
          rps=$W_RPS
          all_2xx "$name" || cmp_add "$row" "$side" bad 1
        fi
        cmp_add "$row" "$side" rps "$rps"
        cmp_add "$row" "$side" p99 "$W_P99"
        cmp_add "$row" "$side" cpu "$W_CPU_MS"
        note "    ${side_name[$side]}: $rps req/s, p99 $W_P99 ms, clinicd $W_CPU_MS CPU ms/request"
      done
    done
  done

  local hwm=() k
  for side in 0 1; do
    hwm[$side]=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/${cmp_pid[$side]}/status")
  done
  for side in 0 1; do
    server_pid=${cmp_pid[$side]}
    stop_server
    name=${side_name[$side]}-$tag
    grep -o '"route":"[^"]*","status":[0-9]*' "$work/access-$name.log" | sort | uniq -c | sort -rn \
      > "$raw/statuses-$name.txt" || true
  done
  cmp_pid=()

  cmp_rows+=("-- clinicd: $mode, db pool $pl; medians of $rounds runs each")
  for row in $rows_list; do
    local m=() p=() c=()
    for side in 0 1; do
      m[$side]=$(median <<< "${CMP["$row $side rps"]}" | awk '{ printf "%.0f", $1 }')
      p[$side]=$(median <<< "${CMP["$row $side p99"]}" | awk '{ printf "%.2f", $1 }')
      c[$side]=$(median <<< "${CMP["$row $side cpu"]}" | awk '{ printf "%.3f", $1 }')
    done
    local flag=""
    [ -z "${CMP["$row 0 bad"]:-}${CMP["$row 1 bad"]:-}" ] || flag="  unexpected answers!"
    [ -z "${CMP["$row 0 out"]:-}${CMP["$row 1 out"]:-}" ] ||
      flag="$flag  slots ran out: 201s/s is the share over the run, raise BENCH_BOOK_PRACTITIONERS!"
    cmp_rows+=("$(printf '%-28s %8s %8s %6s   %8s %8s %6s   %7s %8s %8s   %s%s' "${row_label[$row]}" \
      "${m[0]}" "${p[0]}" "${c[0]}" "${m[1]}" "${p[1]}" "${c[1]}" \
      "$(awk -v a="${m[1]}" -v b="${m[0]}" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')" \
      "$(awk -v a="${p[1]}" -v b="${p[0]}" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')" \
      "$(awk -v a="${c[1]}" -v b="${c[0]}" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')" \
      "req/s: $(echo ${CMP["$row 0 rps"]}) | $(echo ${CMP["$row 1 rps"]})" "$flag")")
  done
  cmp_rows+=("$(printf '%-28s %8s %8s %6s   %8s %8s %6s   %7s' "clinicd peak RSS MiB" "${hwm[0]}" "" "" \
    "${hwm[1]}" "" "" "$(awk -v a="${hwm[1]}" -v b="${hwm[0]}" 'BEGIN { if (b > 0) printf "%.3f", a / b }')")")
}

rows+=("$(fmt_row "pgbench -S (reference)" "$pgb_tps" "$pgb_p50" "$pgb_p99" "1.00 -S")")
rows+=("$(fmt_row "pgbench tpcb-like (reference)" "$tpcb_tps" "$tpcb_p50" "$tpcb_p99" "1.00 tpcb")")
ci=0
for c in $configs; do
  http_threads=${c%%:*}
  pool=${c##*:}
  if [ "$http_threads" = 0 ]; then mode="thread per connection"; tag=tpc
  elif [ "$http_threads" = auto ]; then mode="pool of $(nproc) threads, one per CPU (epoll)"; tag=pool
  else mode="pool of $http_threads threads (epoll)"; tag=pool$http_threads; fi
  tag=$tag-db$pool
  http_port=$(bash "$pg" freeport)
  # a no-op, unless migrations/ changed since the set-up (serve refuses a stale schema)
  CLINICD_MIGRATE_URL=$owner_url DATABASE_URL=$app_url "$bin" migrate >> "$raw/setup.log" 2>&1 ||
    { tail -n 5 "$raw/setup.log" >&2; die "clinicd migrate failed"; }
  if [ -n "$compare" ]; then
    note "paired: $compare (other) and $bin (this): $mode, db pool $pool ..."
    cmp_config "$mode" "$http_threads" "$pool"
    ci=$((ci + 1))
    continue
  fi
  note "clinicd serve on port $http_port: $mode, db pool $pool ..."
  # (every load generator connects from 127.0.0.1: no per-address connection cap, which
  # would turn wrk's and slowclients.py's connections away, and no per-address limit on
  # patients' writes, which would stop wrk's bookings; fairness.test.mjs and
  # hoarding.test.mjs test them)
  DATABASE_URL=$app_url PORT=$http_port CLINICD_DB_POOL_SIZE=$pool CLINICD_HTTP_MAX_PER_IP=0 \
    CLINICD_HTTP_THREADS=$http_threads CLINICD_SHUTDOWN_GRACE_S=2 CLINICD_LOG_LEVEL=warn \
    CLINICD_PATIENT_WRITES_PER_HOUR=0 \
    "$bin" serve > "$work/access-$tag.log" 2> "$raw/server-$tag.err" &
  server_pid=$!
  # ready once the directory index is loaded and every next free time computed
  ready=0
  t_ready=$(date +%s.%N)
  for _ in $(seq 1 1800); do
    kill -0 "$server_pid" 2>/dev/null || break
    if curl -fs "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1; then ready=1; break; fi
    sleep 0.1
  done
  if [ "$ready" != 1 ]; then
    cat "$raw/server-$tag.err" >&2
    die "clinicd did not become ready on port $http_port"
  fi
  note "  ready after $(since "$t_ready") s (index loaded, next free times computed)"
  sanity

  rows+=("-- clinicd: $mode, db pool $pool")
  note "  profile GET ($((warmup + duration)) s) ..."
  run_wrk "profile-$tag" "$duration" "$warmup" tests/bench/paths.lua "$work/profile.paths"
  r=$(ratio "$W_RPS")
  if ge "${r% *}" "$T_PROFILE_X"; then v=PASS; else v=FAIL; fi
  verdict "$v"
  all_2xx "profile-$tag" || v="$v, $W_NON2XX non-2xx/$W_ERRORS errors!"
  rows+=("$(fmt_row "profile GET" "$W_RPS" "$W_P50" "$W_P99" "$r" ">= ${T_PROFILE_X}x -S" "$v")")

  note "  nearby search ($((warmup + duration)) s) ..."
  run_wrk "search-$tag" "$duration" "$warmup" tests/bench/paths.lua "$work/search.paths"
  r=$(ratio "$W_RPS")
  if ge "${r% *}" "$T_SEARCH_X" && le "$W_P99" "$T_SEARCH_P99"; then v=PASS; else v=FAIL; fi
  verdict "$v"
  all_2xx "search-$tag" || v="$v, $W_NON2XX non-2xx/$W_ERRORS errors!"
  rows+=("$(fmt_row "nearby search 25 km MFR" "$W_RPS" "$W_P50" "$W_P99" "$r" "p99 <= ${T_SEARCH_P99} ms, >= ${T_SEARCH_X}x -S" "$v")")
  [ "$light_secs" = 0 ] || light_wrk "search-$tag" "$work/search.paths"

  note "  search sort=next_available ($((warmup + duration)) s) ..."
  run_wrk "nextavail-$tag" "$duration" "$warmup" tests/bench/paths.lua "$work/search-next.paths"
  r=$(ratio "$W_RPS")
  if le "$W_P99" "$T_NEXT_P99"; then v=PASS; else v=FAIL; fi
  verdict "$v"
  all_2xx "nextavail-$tag" || v="$v, $W_NON2XX non-2xx/$W_ERRORS errors!"
  rows+=("$(fmt_row "search next_available 25 km" "$W_RPS" "$W_P50" "$W_P99" "$r" "p99 <= ${T_NEXT_P99} ms" "$v")")
  [ "$light_secs" = 0 ] || light_wrk "nextavail-$tag" "$work/search-next.paths"

  note "  30-day availability ($((warmup + duration)) s) ..."
  run_wrk "avail-$tag" "$duration" "$warmup" tests/bench/paths.lua "$work/avail.paths"
  r=$(ratio "$W_RPS")
  if le "$W_P99" "$T_AVAIL_P99"; then v=PASS; else v=FAIL; fi
  verdict "$v"
  all_2xx "avail-$tag" || v="$v, $W_NON2XX non-2xx/$W_ERRORS errors!"
  rows+=("$(fmt_row "availability 30 days" "$W_RPS" "$W_P50" "$W_P99" "$r" "p99 <= ${T_AVAIL_P99} ms" "$v")")
  detail "$(awk -v b="$(awk '/requests in/ { print $5 }' "$raw/avail-$tag.txt" | tr -d ,)" -v n="$W_REQUESTS" 'BEGIN {
    u = b; sub(/^[0-9.]+/, "", u); v = b + 0
    if (u == "KB") v *= 1024; else if (u == "MB") v *= 1048576; else if (u == "GB") v *= 1073741824
    printf "%.1f KB per answer on the wire (gzip accepted, as browsers do)", v / n / 1024 }') ($(head -n 1 "$work/avail.paths" | sed 's/.*?//'))"
  [ "$light_secs" = 0 ] || light_wrk "avail-$tag" "$work/avail.paths"

  # free slots of this configuration's own practitioners (the first one: contended)
  osql -c "SELECT p.id FROM practitioners p WHERE $bookable
            ORDER BY md5(p.id::text || 'book') OFFSET $((ci * (book_practitioners + 1)))
            LIMIT $((book_practitioners + 1))" > "$work/book-ids-$tag"
  note "  free slots of $book_practitioners practitioners, $book_from to $book_to ..."
  if ! timeout 600 python3 tests/bench/slots.py --port "$http_port" --ids "$work/book-ids-$tag" \
      --from "$book_from" --to "$book_to" --gap-minutes "$book_gap" --out "$work/free-$tag.slots" \
      --contended "$work/contended-$tag.slots" --contended-slots 20 --parallel 4 \
      2> "$raw/slots-$tag.txt"; then
    cat "$raw/slots-$tag.txt" >&2
    die "could not find free slots to book"
  fi
  note "  $(tail -n 1 "$raw/slots-$tag.txt" | sed 's/^slots.py: //')"
  n_free=$(wc -l < "$work/free-$tag.slots")
  n_cont=$(wc -l < "$work/contended-$tag.slots")
  [ "$n_cont" -ge 1 ] || die "no slot to contend for (practitioner $(head -n 1 "$work/book-ids-$tag"))"
  # half of them for the free-slot run, the other half for the sustained mix
  head -n $((n_free / 2)) "$work/free-$tag.slots" > "$work/free-a-$tag.slots"
  tail -n +$((n_free / 2 + 1)) "$work/free-$tag.slots" > "$work/free-b-$tag.slots"

  note "  bookings on free slots ($duration s) ..."
  run_wrk "book-free-$tag" "$duration" 0 tests/bench/book.lua "$work/free-a-$tag.slots" free \
    "$tag-$$" "$threads"
  bps=$(awk -v n="$S_201" -v s="$W_SECS" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
  r=$(ratio_tpcb "$bps")
  if ge "${r% *}" "$T_BOOK_X" && [ "$S_5XX" = 0 ]; then v=PASS; else v=FAIL; fi
  verdict "$v"
  expected_only "book-free-$tag" || v="$v, $S_5XX 5xx/$S_4XX 4xx/$W_ERRORS errors!"
  rows+=("$(fmt_row "bookings/s, free slots" "$bps" "$W_P50" "$W_P99" "$r" ">= ${T_BOOK_X}x tpcb" "$v")")
  detail "$W_REQUESTS attempts: 201 $S_201, 409 $S_409 (of them on slots asked for twice: $S_REUSED), other 4xx $S_4XX, 5xx $S_5XX; $((n_free / 2)) free slots of $book_practitioners practitioners"
  if [ "$S_409" -gt $((W_REQUESTS / 20)) ]; then
    note "warning: book-free-$tag: $S_409 of $W_REQUESTS attempts were 409 ($S_REUSED on slots asked for twice: the list of $((n_free / 2)) ran out; raise BENCH_BOOK_PRACTITIONERS)"
  fi
  cpu_notes+=("  (book-free-$tag waits: $W_WAITS)")

  note "  bookings on $n_cont contended slots ($duration s) ..."
  run_wrk "book-contended-$tag" "$duration" 0 tests/bench/book.lua "$work/contended-$tag.slots" \
    contended "$tag-$$" "$threads"
  if [ "$S_5XX" = 0 ] && [ "$S_201" = "$n_cont" ]; then v=PASS; else v=FAIL; fi
  verdict "$v"
  expected_only "book-contended-$tag" || v="$v, $S_5XX 5xx/$S_4XX 4xx/$W_ERRORS errors!"
  [ "$S_201" -le "$n_cont" ] || { invalid=1; v="$v, $S_201 201s for $n_cont slots!"; }
  rows+=("$(fmt_row "bookings, $n_cont contended slots" "$W_RPS" "$W_P50" "$W_P99" "$(ratio_tpcb "$W_RPS")" "1 x 201 per slot, 0 5xx" "$v")")
  detail "$W_REQUESTS attempts (req/s = attempts): 201 $S_201 (for $n_cont slots), 409 $S_409, other 4xx $S_4XX, 5xx $S_5XX"
  cpu_notes+=("  (book-contended-$tag waits: $W_WAITS)")

  if [ "$sustained" = 1 ]; then
    note "  sustained mixed load ($sustained_secs s) ..."
    RSS_LOG=$raw/mixed-$tag.rss
    run_wrk "mixed-$tag" "$sustained_secs" 0 tests/bench/mixed.lua "$work/profile.paths" \
      "$work/search-mixed.paths" "$work/avail.paths" "$work/free-b-$tag.slots" "$tag-$$" "$threads"
    RSS_LOG=
    # RSS: first, at 15 s (the end of the warm-up), last, max; growth after 15 s
    read -r rss_first rss_base rss_last rss_max rss_growth < <(awk '
      $2 != "" { n++; v[n] = $2; t[n] = $1 }
      END {
        if (n == 0) { print "0 0 0 0 0"; exit }
        b = 0; mx = 0
        for (i = 1; i <= n; i++) { if (!b && t[i] >= 15) b = v[i]; if (v[i] > mx) mx = v[i] }
        if (!b) b = v[n]
        ma = 0; for (i = 1; i <= n; i++) if (t[i] >= 15 && v[i] > ma) ma = v[i]
        if (!ma) ma = b
        printf "%.1f %.1f %.1f %.1f %.1f\n", v[1] / 1024, b / 1024, v[n] / 1024, mx / 1024,
               100 * (ma - b) / b }' "$raw/mixed-$tag.rss")
    v=PASS
    [ "$S_5XX" = 0 ] && [ "$W_ERRORS" = 0 ] || v=FAIL
    if ! le "$rss_growth" "$T_RSS_GROWTH"; then
      v=FAIL
      note "!!! mixed-$tag: clinicd's RSS grew by ${rss_growth}% after the first 15 s ($rss_base -> max $rss_max MiB): a leak? (samples: $raw/mixed-$tag.rss)"
    fi
    verdict "$v"
    expected_only "mixed-$tag" || v="$v, $S_5XX 5xx/$S_4XX 4xx/$W_ERRORS errors!"
    ! le "$rss_growth" "$T_RSS_GROWTH" && v="$v, RSS grew ${rss_growth}%!"
    rows+=("$(fmt_row "sustained mix ${sustained_secs}s" "$W_RPS" "$W_P50" "$W_P99" "$(ratio "$W_RPS")" "0 5xx, RSS +<=${T_RSS_GROWTH}% after 15s" "$v")")
    detail "$W_REQUESTS requests ($S_2XX 2xx): $S_READS reads, $S_BOOKS booking attempts (201 $S_201), $S_CANCELS cancellations ($S_CANCELLED done); 409 $S_409, other 4xx $S_4XX, 5xx $S_5XX"
    detail "clinicd RSS every 5 s: first $rss_first MiB, at 15 s $rss_base, last $rss_last, max $rss_max MiB (after 15 s: ${rss_growth}%)"
    cpu_notes+=("  (mixed-$tag waits: $W_WAITS)")
  fi

  hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")
  pool_line=$(curl -s "http://127.0.0.1:$http_port/metrics" |
    awk '/^clinicd_db_pool_(checkouts|timeouts)_total / { printf "%s=%s ", substr($1, 17), $2 }')

  if [ "$slow_conns" -gt 0 ]; then
    note "  $slow_conns slow clients ($slow_secs s) ..."
    in_background "$raw/slow-$tag.txt" timeout $((slow_secs + 60)) python3 tests/bench/slowclients.py \
      --port "$http_port" --conns "$slow_conns" --seconds "$slow_secs" --probe /healthz \
      --probe "$(head -n 1 "$work/profile.paths")" --pid "$server_pid"
    rc=0
    wait "$load_pid" || rc=$?
    load_pid=
    server_alive "during the slow clients"
    [ "$rc" = 0 ] || { cat "$raw/slow-$tag.txt" >&2; die "slowclients.py failed (status $rc)"; }
    kv() { sed -n "s/^slowclients: .*\\b$1=\\([^ ]*\\).*/\\1/p" "$raw/slow-$tag.txt" | head -n 1; }
    sl_opened=$(kv opened) sl_refused=$(kv refused) sl_cidle=$(kv closed_idle)
    sl_cslow=$(kv closed_slow) sl_open=$(kv open_at_end) sl_first=$(kv first_close_s)
    sl_probes=$(kv probes) sl_failed=$(kv failed) sl_p50=$(kv p50_ms) sl_p99=$(kv p99_ms)
    sl_max=$(kv max_ms) sl_threads=$(kv threads) sl_rss=$(kv rss_kib)
    if [ "${sl_failed:-1}" = 0 ] && [ "${sl_probes:-0}" -gt 0 ] && le "$sl_p99" "$T_SLOW_MS"; then v=PASS; else v=FAIL; fi
    verdict "$v"
    rows+=("$(fmt_row "normal GETs, $slow_conns slow clients" "-" "$sl_p50" "$sl_p99" "" "p99 <= ${T_SLOW_MS} ms, all served" "$v")")
    detail "probes (/healthz and a profile, each on a new connection): $sl_probes, failed $sl_failed, max $sl_max ms"
    detail "slow clients: $sl_opened connected ($sl_refused refused), closed by clinicd: $sl_cidle idle + $sl_cslow trickling (first after ${sl_first} s), $sl_open still open after $slow_secs s; clinicd had $sl_threads threads, $(awk -v k="${sl_rss:-0}" 'BEGIN { printf "%.1f", k / 1024 }') MiB RSS"
  fi
  stop_server
  # every answer of this configuration by route and status, from clinicd's access log
  grep -o '"route":"[^"]*","status":[0-9]*' "$work/access-$tag.log" | sort | uniq -c | sort -rn \
    > "$raw/statuses-$tag.txt" || true
  grep -v '"status":[23][0-9][0-9]' "$work/access-$tag.log" | grep -v '"status":409' | head -n 50 \
    > "$raw/unexpected-$tag.log" || true
  rss=$(awk -v k="$hwm_kb" 'BEGIN { printf "%.1f", k / 1024 }')
  if le "$rss" "$T_RSS_MIB"; then v=PASS; else v=FAIL; fi
  verdict "$v"
  rows+=("$(printf '%-68s   %-28s %s' "clinicd peak RSS: $rss MiB ($conns connections, before the slow clients)" "<= $T_RSS_MIB MiB" "$v")")
  cpu_notes+=("  ($mode, db pool $pool: ${pool_line% })")
  ci=$((ci + 1))
done

# --- 4. double bookings ------------------------------------------------------------------
note "looking for overlapping active bookings ..."
t_dbl=$(now)
n_after=$(osql -c "SELECT count(*) FROM bookings")
double=$(osql -c "SELECT count(*) FROM bookings a JOIN bookings b
                    ON a.practitioner_id = b.practitioner_id AND a.id < b.id AND a.blocked && b.blocked
                   WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'")
if [ "$double" = 0 ]; then v=PASS; else v=FAIL; invalid=1; fi
verdict "$v"
rows+=("--")
rows+=("$(printf '%-68s   %-28s %s' "double bookings (SQL self-join over $n_after bookings): $double" "= 0" "$v")")
note "  $(since "$t_dbl") s"

# --- 5. the table ------------------------------------------------------------------------
{
  printf '%-30s %8s %8s %8s %10s   %-28s %s\n' workload req/s "p50 ms" "p99 ms" "x pgbench" target result
  printf '%s\n' "${rows[@]}"
  echo
  echo "wrk -t$threads -c$conns -d${duration}s (+${warmup}s warm-up for reads, none for bookings) and pgbench -M prepared -c$conns -j$threads -T$duration"
  echo "(-S; tpcb-like), on 127.0.0.1, $npract practitioners, $n_bookings bookings before the run; $NCPU CPUs shared by load generator, clinicd"
  echo "and PostgreSQL.  \"x pgbench\": reads against pgbench -S, bookings against tpcb-like.  Bookings/s on free slots: 201s"
  echo "per second; on contended slots: attempts per second.  Sustained mix: 30% profile, 30% search (half of them"
  echo "by next_available), 20% availability, 15% bookings, 5% cancellations, ${sustained_secs}s, no warm-up."
  echo "clinicd: $bin, source $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- backend migrations 2>/dev/null || echo ' + uncommitted changes'); $(date -u '+%Y-%m-%d %H:%M UTC'), load average before: $load_before"
  echo "Where the CPU went during each measured run (from /proc; 100% = all $NCPU CPUs for the run), and what"
  echo "PostgreSQL's backends were doing half-way through (10 samples of pg_stat_activity; CPU = running):"
  printf '  %s\n' "${cpu_notes[@]}"
  if [ -n "$compare" ]; then
    echo
    echo "Paired (BENCH_COMPARE): other = $compare, this = $bin; each row measured $rounds times with"
    echo "each, alternately (other, this, ...), on the same database; bookings: 201s per second, each run on its own"
    echo "equal share of free slots.  Medians; CPU = clinicd CPU ms per request; this/other < 1 for req/s is slower."
    printf '%-28s %8s %8s %6s   %8s %8s %6s   %7s %8s %8s   %s\n' "" "other" "" "" "this" "" "" "this/" "other" "" ""
    printf '%-28s %8s %8s %6s   %8s %8s %6s   %7s %8s %8s   %s\n' workload req/s "p99 ms" CPU req/s "p99 ms" CPU \
      req/s "p99" CPU "each run (other | this)"
    printf '%s\n' "${cmp_rows[@]}"
  fi
} > "$out/bench.txt"
echo
cat "$out/bench.txt"
echo "(also in $out/bench.txt; raw wrk/pgbench output in $raw/)"
note "the whole run took $(since "$t0") s"

if [ "$invalid" != 0 ]; then
  echo "bench: INVALID: some requests got answers the row does not expect (5xx, other 4xx), failed, or bookings overlap (marked with '!' above)" >&2
  exit 1
fi
nfail=0
for v in "${verdicts[@]}"; do [ "$v" = PASS ] || nfail=$((nfail + 1)); done
echo "bench: ${#verdicts[@]} targets, $((${#verdicts[@]} - nfail)) met, $nfail missed"
if [ "$strict" = 1 ] && [ "$nfail" -gt 0 ]; then
  exit 1
fi
exit 0
