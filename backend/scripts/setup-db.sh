#!/usr/bin/env bash
# Brings a project-local database to a usable state: cluster started, roles and
# extensions, migrations applied, gazetteer and demo data loaded.  Idempotent.
#
# Usage: backend/scripts/setup-db.sh DIR PORT DBNAME CLINICD_BINARY [seed-demo args...]
# Prints nothing but progress on stderr; the service URL is
#   postgresql://clinicd@127.0.0.1:PORT/DBNAME
set -euo pipefail
dir=$1 port=$2 db=$3 bin=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
pg="$here/pg.sh"

bash "$pg" start "$dir" "$port"
bash "$pg" bootstrap "$dir" "$port" "$db"
owner_url=$(bash "$pg" url "$dir" "$port" "$db" clinicd_owner)
app_url=$(bash "$pg" url "$dir" "$port" "$db" clinicd)

CLINICD_MIGRATE_URL="$owner_url" DATABASE_URL="$app_url" "$bin" migrate

places=build/places.tsv
if [ "$(psql -qAt "$owner_url" -c 'SELECT count(*) FROM places')" = 0 ]; then
  if [ ! -s "$places" ] || [ backend/data/build-places.mjs -nt "$places" ]; then
    node backend/data/build-places.mjs "$places"
  fi
  psql -q -v ON_ERROR_STOP=1 "$owner_url" \
    -c "\\copy places(kind,name,ascii_name,region_code,region_name,country_code,country_name,postcode,lat,lon,population) FROM '$places'" \
    -c "ANALYZE places"
  echo "setup-db: gazetteer loaded ($(psql -qAt "$owner_url" -c 'SELECT count(*) FROM places') places)" >&2
fi

# the read models (migration 0006) are rebuilt once after the bulk load, not per row
DATABASE_URL="$app_url" PGOPTIONS="-c clinicd.bulk_load=on" "$bin" seed-demo "$@"
# (statistics first: the refresh is one big plan, and a plan made for empty tables
# would be quadratic at 100,000 practitioners)
PGOPTIONS="-c client_min_messages=error" psql -q "$owner_url" -c ANALYZE
psql -q -v ON_ERROR_STOP=1 "$owner_url" -c "SELECT refresh_practitioner_cards(NULL)" >/dev/null
# hours, time off and bookings, so that the directory shows real free times
DATABASE_URL="$app_url" "$bin" seed-schedule \
  --bookings-per-practitioner "${SEED_BOOKINGS_PER_PRACTITIONER:-3}"

# Demo staff accounts (README, "Trying the staff side"): an admin of the first Portland
# clinic by name, and one of its practitioners.
clinic=$(psql -qAt "$owner_url" -c "SELECT c.id FROM clinics c JOIN locations l ON l.clinic_id = c.id
  WHERE l.city = 'Portland' ORDER BY c.name, c.id LIMIT 1")
practitioner=$(psql -qAt "$owner_url" -c "SELECT id FROM practitioners WHERE clinic_id = '$clinic'
  ORDER BY name, id LIMIT 1")
if [ -n "$clinic" ]; then
  echo "calm-fascia-demo" | DATABASE_URL="$app_url" "$bin" admin create-user --if-missing \
    --clinic "$clinic" --email admin@demo.clinicd.example --role clinic_admin --name "Demo admin" >/dev/null
  echo "calm-fascia-demo" | DATABASE_URL="$app_url" "$bin" admin create-user --if-missing \
    --clinic "$clinic" --email practitioner@demo.clinicd.example --role practitioner \
    --practitioner "$practitioner" --name "Demo practitioner" >/dev/null
fi
# the service role owns nothing, so statistics are gathered as the owner
PGOPTIONS="-c client_min_messages=error" psql -q "$owner_url" -c ANALYZE
