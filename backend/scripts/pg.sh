#!/usr/bin/env bash
# Manages a project-local PostgreSQL 15 cluster for clinicd development and tests.
#
#   pg.sh start DIR PORT             initdb DIR/data if needed, configure, start (idempotent)
#   pg.sh bootstrap DIR PORT DBNAME  roles clinicd_owner + clinicd, database, extensions
#   pg.sh stop DIR                   fast shutdown (ok if not running)
#   pg.sh kill DIR                   immediate shutdown (crash-like, for fault tests)
#   pg.sh restart DIR                restart (also starts a stopped cluster)
#   pg.sh status DIR                 exit 0 if running, 3 if not
#   pg.sh destroy DIR                stop and remove the cluster, its logs and sockets
#   pg.sh freeport                   print a free TCP port on 127.0.0.1
#   pg.sh url DIR PORT DBNAME ROLE   print postgresql://ROLE@127.0.0.1:PORT/DBNAME
#
# Layout: DIR/data (cluster), DIR/log/postgresql.log, DIR/run (unix socket).
# The server listens on 127.0.0.1 only, with trust authentication.
#
# PostgreSQL refuses to run as root: when run as root, the cluster is owned by and run as
# the `postgres` OS account, and its superuser role is `postgres`. If `postgres` cannot
# reach DIR (e.g. DIR is under /root), data and log live in /var/tmp/clinicd-pg-<hash>
# with DIR/data and DIR/log as symlinks to them. As a normal user the cluster runs as that
# user and the superuser role is the user's name.
#
# Environment: PG_BINDIR (default /usr/lib/postgresql/15/bin).
set -euo pipefail

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
PROG=pg.sh

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$PROG" "$*" >&2; }

usage() {
  sed -n '4,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

need_args() { # need_args N "$@"
  local n=$1; shift
  [ "$#" -ge "$n" ] || usage
}

check_port() {
  if ! [[ $1 =~ ^[0-9]+$ ]] || [ "$1" -lt 1024 ] || [ "$1" -gt 65535 ]; then
    die "bad port '$1' (expected 1024-65535)"
  fi
}

check_bins() {
  [ -x "$PG_BINDIR/pg_ctl" ] && [ -x "$PG_BINDIR/initdb" ] && return 0
  die "PostgreSQL 15 binaries not found in $PG_BINDIR (run backend/scripts/deps.sh, or set PG_BINDIR)"
}

# --- who runs the server -----------------------------------------------------------------
IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

if [ "$IS_ROOT" -eq 1 ]; then
  SERVER_USER=postgres
  SUPERUSER=postgres
else
  SERVER_USER=$(id -un)
  SUPERUSER=$SERVER_USER
fi

need_server_user() {
  if [ "$IS_ROOT" -eq 1 ] && ! id -u postgres >/dev/null 2>&1; then
    die "running as root needs the 'postgres' OS account (installed with postgresql-15: run backend/scripts/deps.sh)"
  fi
}

# Runs a command as the server's OS user, from / (the caller's cwd may be unreadable).
as_server() {
  if [ "$IS_ROOT" -eq 1 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

# --- paths -------------------------------------------------------------------------------
# Sets DIR (absolute, canonical), HASH, DATA, LOGDIR, LOGFILE, SOCKDIR, FALLBACK.
# DIR/data and DIR/log may be symlinks into FALLBACK; DATA and LOGDIR are the resolved
# paths, which is what the server user (who may not be able to traverse DIR) is given.
set_paths() {
  DIR=$(realpath -m -- "$1")
  [ "$DIR" != / ] || die "refusing to use / as cluster directory"
  HASH=$(printf '%s' "$DIR" | sha256sum | cut -c1-12)
  FALLBACK=/var/tmp/clinicd-pg-$HASH
  resolve_paths
}

resolve_paths() {
  DATA=$DIR/data
  LOGDIR=$DIR/log
  SOCKDIR=$DIR/run
  if [ -L "$DIR/data" ]; then
    DATA=$(readlink -m -- "$DIR/data")
    SOCKDIR=$FALLBACK/run
  fi
  if [ -L "$DIR/log" ]; then
    LOGDIR=$(readlink -m -- "$DIR/log")
  fi
  LOGFILE=$LOGDIR/postgresql.log
  if [ "${#SOCKDIR}" -gt 80 ]; then
    SOCKDIR=/tmp/clinicd-pg-$HASH
  fi
}

has_cluster() { [ -f "$DATA/PG_VERSION" ]; }

# pg_ctl status: 0 running, 3 not running, 4 no accessible data directory.
is_running() {
  has_cluster || return 1
  as_server "$PG_BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

configured_port() {
  sed -n "s/^port = \([0-9]*\).*/\1/p" "$DATA/clinicd.conf" 2>/dev/null | tail -n 1
}

show_log_tail() {
  if [ -f "$LOGFILE" ]; then
    note "last lines of $LOGFILE:"
    tail -n 30 "$LOGFILE" >&2 || true
  fi
}

# Creates DIR/data, DIR/log and the socket directory, owned by the server user.
prepare_dirs() {
  mkdir -p -- "$DIR"
  if [ "$IS_ROOT" -eq 1 ] && [ ! -e "$DIR/data" ] && [ ! -L "$DIR/data" ] &&
     ! runuser -u postgres -- test -x "$DIR" 2>/dev/null; then
    # postgres cannot traverse DIR (e.g. it is under /root): keep data and log elsewhere.
    mkdir -p "$FALLBACK/data" "$FALLBACK/log"
    chown postgres:postgres "$FALLBACK" "$FALLBACK/data" "$FALLBACK/log"
    chmod 0700 "$FALLBACK/data"
    ln -sfn "$FALLBACK/data" "$DIR/data"
    if [ ! -e "$DIR/log" ] || { [ -d "$DIR/log" ] && [ -z "$(ls -A "$DIR/log")" ]; }; then
      rm -rf -- "$DIR/log"
      ln -sfn "$FALLBACK/log" "$DIR/log"
    fi
    note "the postgres account cannot reach $DIR: cluster data and log are in $FALLBACK (symlinked from $DIR/data and $DIR/log)"
  fi
  resolve_paths
  mkdir -p -- "$DATA" "$LOGDIR" "$SOCKDIR"
  if [ "$IS_ROOT" -eq 1 ]; then
    chown postgres:postgres "$DATA" "$LOGDIR" "$SOCKDIR"
    [ ! -e "$LOGFILE" ] || chown postgres:postgres "$LOGFILE"
    runuser -u postgres -- test -w "$DATA" -a -w "$LOGDIR" -a -w "$SOCKDIR" ||
      die "the postgres account cannot write to $DATA, $LOGDIR or $SOCKDIR"
  fi
  chmod 0700 "$DATA"
  if [ "$SOCKDIR" != "$DIR/run" ]; then
    note "unix socket directory: $SOCKDIR"
  fi
}

init_cluster() {
  if [ -n "$(ls -A "$DATA" 2>/dev/null)" ]; then
    die "$DATA exists and is not empty, but holds no PostgreSQL cluster (no PG_VERSION); remove it or run '$PROG destroy $DIR'"
  fi
  local initlog=$LOGDIR/initdb.log
  if ! as_server "$PG_BINDIR/initdb" -D "$DATA" -U "$SUPERUSER" -E UTF8 --locale=C.UTF-8 \
        --auth=trust >"$initlog" 2>&1; then
    cat "$initlog" >&2
    die "initdb failed for $DATA"
  fi
  # Our settings live in clinicd.conf, included last so they win.
  printf "\n# clinicd: settings managed by backend/scripts/pg.sh\ninclude_if_exists = 'clinicd.conf'\n" |
    as_server tee -a "$DATA/postgresql.conf" >/dev/null
}

write_config() {
  local port=$1
  as_server tee "$DATA/clinicd.conf" >/dev/null <<EOF
# Written by backend/scripts/pg.sh on every start; edits are lost.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$SOCKDIR'
shared_buffers = 256MB
max_connections = 200
fsync = on
timezone = 'UTC'
log_timezone = 'UTC'
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

# --- commands ----------------------------------------------------------------------------
cmd_start() {
  need_args 2 "$@"
  check_port "$2"
  check_bins
  need_server_user
  set_paths "$1"
  local port=$2

  if is_running; then
    local cur
    cur=$(configured_port)
    if [ -n "$cur" ] && [ "$cur" != "$port" ]; then
      die "the cluster in $DATA is already running on port $cur, not $port (run '$PROG stop $DIR' first)"
    fi
    return 0
  fi

  if [ -e "$DATA" ]; then
    local owner
    owner=$(stat -L -c %U "$DATA")
    [ "$owner" = "$SERVER_USER" ] || { [ -r "$DATA" ] && [ -z "$(ls -A "$DATA")" ]; } ||
      die "$DATA belongs to '$owner', but the server would run as '$SERVER_USER' (it was created by another user: '$PROG destroy $DIR' as that user or root, then start again)"
  fi
  prepare_dirs
  if ! has_cluster; then
    init_cluster
  fi

  write_config "$port"
  if ! as_server "$PG_BINDIR/pg_ctl" -D "$DATA" -l "$LOGFILE" -w -t 60 -s start; then
    show_log_tail
    die "PostgreSQL did not start (data $DATA, port $port)"
  fi
}

cmd_bootstrap() {
  need_args 3 "$@"
  check_port "$2"
  set_paths "$1"
  local port=$2 db=$3
  [[ $db =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "bad database name '$db' (letters, digits, _)"
  [ -x "$PG_BINDIR/psql" ] || die "psql not found in $PG_BINDIR (run backend/scripts/deps.sh)"

  # The superuser role is named after the OS account that ran initdb (owner of the data).
  if [ -e "$DATA" ]; then
    SUPERUSER=$(stat -L -c %U "$DATA")
  fi
  if ! "$PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$SUPERUSER" -d postgres -t 10; then
    die "no PostgreSQL on 127.0.0.1:$port (run '$PROG start $DIR $port' first)"
  fi

  local -a psql=("$PG_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$SUPERUSER")
  export PGOPTIONS='-c client_min_messages=warning'
  export PGCONNECT_TIMEOUT=10

  "${psql[@]}" -d postgres -v db="$db" <<'SQL' >/dev/null
SELECT 'CREATE ROLE clinicd_owner' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'clinicd_owner')
\gexec
SELECT 'CREATE ROLE clinicd' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'clinicd')
\gexec
ALTER ROLE clinicd_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE clinicd LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
SELECT format('CREATE DATABASE %I OWNER clinicd_owner ENCODING ''UTF8'' TEMPLATE template0', :'db')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db')
\gexec
SELECT format('ALTER DATABASE %I OWNER TO clinicd_owner', :'db')
\gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO clinicd', :'db')
\gexec
SQL

  "${psql[@]}" -d "$db" <<'SQL' >/dev/null
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS citext;
SQL
}

cmd_stop() {
  need_args 1 "$@"
  set_paths "$1"
  is_running || return 0
  as_server "$PG_BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 60 -s stop ||
    { show_log_tail; die "could not stop the cluster in $DATA"; }
}

cmd_kill() {
  need_args 1 "$@"
  set_paths "$1"
  is_running || return 0
  as_server "$PG_BINDIR/pg_ctl" -D "$DATA" -m immediate -w -t 60 -s stop ||
    { show_log_tail; die "could not stop the cluster in $DATA"; }
}

cmd_restart() {
  need_args 1 "$@"
  check_bins
  need_server_user
  set_paths "$1"
  has_cluster || die "no cluster in $DATA (run '$PROG start $DIR PORT' first)"
  if ! as_server "$PG_BINDIR/pg_ctl" -D "$DATA" -l "$LOGFILE" -m fast -w -t 60 -s restart \
        >/dev/null 2>&1; then
    show_log_tail
    die "PostgreSQL did not restart (data $DATA)"
  fi
}

cmd_status() {
  need_args 1 "$@"
  set_paths "$1"
  if is_running; then
    echo "running on 127.0.0.1:$(configured_port) (data $DATA)"
  else
    echo "not running (data $DATA)"
    return 3
  fi
}

cmd_destroy() {
  need_args 1 "$@"
  set_paths "$1"
  if is_running; then
    as_server "$PG_BINDIR/pg_ctl" -D "$DATA" -m immediate -w -t 60 -s stop || true
  fi
  local link target
  for link in "$DIR/data" "$DIR/log"; do
    [ -L "$link" ] || continue
    target=$(readlink -- "$link")
    case "$target" in
      /var/tmp/clinicd-pg-*/data|/var/tmp/clinicd-pg-*/log) rm -rf -- "${target%/*}" ;;
      *) note "not removing $target (symlink target of $link outside /var/tmp/clinicd-pg-*)" ;;
    esac
  done
  rm -rf -- "$DIR/data" "$DIR/log" "$DIR/run" "/tmp/clinicd-pg-$HASH" "$FALLBACK"
  rmdir -- "$DIR" 2>/dev/null || true
}

cmd_freeport() {
  # Probe random ports below the kernel's ephemeral range (32768+), so that the port is
  # not taken a moment later by some outgoing connection.
  local _ port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      # Nothing listens on TCP; also skip ports with a leftover PostgreSQL lock file.
      [ -e "/tmp/.s.PGSQL.$port.lock" ] && continue
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

cmd_url() {
  need_args 4 "$@"
  check_port "$2"
  printf 'postgresql://%s@127.0.0.1:%s/%s\n' "$4" "$2" "$3"
}

main() {
  [ "$#" -ge 1 ] || usage
  local cmd=$1; shift
  case "$cmd" in
    start) cmd_start "$@" ;;
    bootstrap) cmd_bootstrap "$@" ;;
    stop) cmd_stop "$@" ;;
    kill) cmd_kill "$@" ;;
    restart) cmd_restart "$@" ;;
    status) cmd_status "$@" ;;
    destroy) cmd_destroy "$@" ;;
    freeport) cmd_freeport "$@" ;;
    url) cmd_url "$@" ;;
    -h|--help|help) usage ;;
    *) note "unknown command '$cmd'"; usage ;;
  esac
}

main "$@"
