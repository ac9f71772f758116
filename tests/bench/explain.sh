#!/usr/bin/env bash
# EXPLAIN (ANALYZE, BUFFERS) of the directory's hot statements, exactly as clinicd
# prepares them (the SQL is taken from the C source), plus the average time of 50
# executions at points near the demo cities: first as clinicd runs them (plan_cache_mode
# auto), then with force_generic_plan, to show what per-execution planning costs.
#
# Usage: tests/bench/explain.sh DATABASE_URL [LAT LON]
#   e.g. tests/bench/explain.sh postgresql://clinicd_owner@127.0.0.1:54329/clinicd 45.52 -122.66
# Run it against a database seeded like make bench does (backend/scripts/setup-db.sh ...
# --practitioners 100000); it only reads.  Output: tests/out/explain.txt (and stdout).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
[ "$#" -ge 1 ] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
url=$1 lat=${2:-45.52} lon=${3:--122.66}
mkdir -p tests/out
sql() { python3 tests/bench/stmt-sql.py backend/src/api/practitioners.c "$1"; }
search=$(sql st_search_distance)
profile=$(sql st_profile)
psql=(psql -X -q -v ON_ERROR_STOP=1 "$url")

mfr=$("${psql[@]}" -A -t -c "SELECT technique_id FROM technique_aliases WHERE alias = 'MFR'")
id=$("${psql[@]}" -A -t -c "SELECT id FROM practitioners WHERE active ORDER BY md5(id::text) LIMIT 1")
# the search parameters clinicd sends for near=LAT,LON&radius_km=25&technique=MFR&limit=20
args="'$lat', '$lon', '25000.000', '{$mfr}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '21', NULL"
points=$("${psql[@]}" -A -t -F ' ' -c "SELECT setseed(0.42)" -c "
  SELECT round((avg(ST_Y(geog::geometry)) + (random() - 0.5) * 0.1)::numeric, 4),
         round((avg(ST_X(geog::geometry)) + (random() - 0.5) * 0.1)::numeric, 4)
    FROM locations, generate_series(1, 3) g WHERE active GROUP BY city, country, g" | grep -v '^$')

timing() { # timing MODE: average ms of EXECUTE s over the points, after 10 to warm up
  { echo "SET plan_cache_mode = $1;"
    echo "PREPARE s AS $search;"
    echo '\timing on'
    for _ in 1 2 3 4 5 6 7 8 9 10; do echo "EXECUTE s($args);"; done
    echo "$points" | while read -r la lo; do
      echo "EXECUTE s('$la', '$lo', '25000.000', '{$mfr}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '21', NULL);"
    done
  } | psql -X -q -o /dev/null "$url" 2>&1 | awk '/^Time:/ { if (++n > 10) { s += $2; k++ } }
      END { if (k) printf "%.2f ms average over %d points\n", s / k, k; else print "no timings" }'
}

{
  echo "== st_search_distance at $lat,$lon, 25 km, technique MFR (id $mfr), 21 rows"
  "${psql[@]}" <<EOF
PREPARE s AS $search;
\o /dev/null
EXECUTE s($args);
\o
EXPLAIN (ANALYZE, BUFFERS) EXECUTE s($args);
EOF
  echo
  echo "== st_profile $id (the 7th execution: by then PostgreSQL has chosen between custom and generic plans)"
  "${psql[@]}" <<EOF
PREPARE p AS $profile;
\o /dev/null
EXECUTE p('$id'); EXECUTE p('$id'); EXECUTE p('$id'); EXECUTE p('$id'); EXECUTE p('$id'); EXECUTE p('$id');
\o
EXPLAIN (ANALYZE, BUFFERS) EXECUTE p('$id');
EOF
  echo
  echo "== st_search_distance, one connection, $(echo "$points" | wc -l) points near the demo cities"
  echo "as clinicd runs it (auto):  $(timing auto)"
  echo "force_generic_plan:         $(timing force_generic_plan)"
} 2>&1 | tee tests/out/explain.txt
