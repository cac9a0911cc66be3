#!/usr/bin/env bash
# Serves the suite with its demo: the marketplace simulator and Odoo 17 with the four addons on the
# database `marketplace` (demo data; created on the first run, reused after), at
# http://localhost:8069 (admin / admin), until Ctrl-C stops both. The set-up (Python, PostgreSQL
# and its role, Odoo 17, the virtual environment .venv/) is tools/setup_env.sh, shared with
# ./run_tests.sh. See README.md, "Quick start".
#
# Environment: those of tools/setup_env.sh (PYTHON, ODOO_PATH, PGHOST, PGPORT, PGUSER, PGPASSWORD),
# MARKETPLACE_DB (default marketplace), ODOO_HTTP_PORT (default 8069), SIMULATOR_PORT (default
# 8700), SIMULATOR_SEED (default 1).
set -uo pipefail
cd "$(dirname "$0")"
REPO=$(pwd)
ADDONS=marketplace_base,marketplace_amazon,marketplace_bigcommerce,marketplace_bol
DB=${MARKETPLACE_DB:-marketplace}
HTTP_PORT=${ODOO_HTTP_PORT:-8069}
SIM_PORT=${SIMULATOR_PORT:-8700}
LOGDIR=$REPO/var/run
mkdir -p "$LOGDIR"
# shellcheck source=tools/setup_env.sh
. "$REPO/tools/setup_env.sh"
setup_all || exit 1

port_taken() { "$PY" -c 'import socket, sys
s = socket.socket(); s.settimeout(0.5)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"; }
for port in "$HTTP_PORT" "$SIM_PORT"; do
    if port_taken "$port"; then
        echo "ERROR: port $port is taken (another Odoo or simulator?): stop it, or set ODOO_HTTP_PORT / SIMULATOR_PORT" >&2
        exit 1
    fi
done

# A master password of this machine's own (odoo.conf ships none that works): generated once into
# var/master-password, written into the configuration the server runs with.
RUN_CONF=$REPO/var/odoo-run.conf
if [ ! -s "$REPO/var/master-password" ]; then
    (umask 077; "$PY" -c 'import secrets; print(secrets.token_urlsafe(24))' > "$REPO/var/master-password")
    echo "== generated a database-manager master password: var/master-password"
fi
(umask 077; { grep -v '^[[:space:]]*admin_passwd' "$REPO/odoo.conf"
              echo "admin_passwd = $(cat "$REPO/var/master-password")"; } > "$RUN_CONF")

pids=()
stop_all() { trap - INT TERM EXIT; [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; }
trap 'stop_all; exit 130' INT TERM
trap stop_all EXIT

sim_url="http://127.0.0.1:$SIM_PORT"
"$PY" -m marketplace_simulator --host 127.0.0.1 --port "$SIM_PORT" --seed "${SIMULATOR_SEED:-1}" \
    --public-url "$sim_url" --quiet > "$LOGDIR/simulator.log" 2>&1 &
pids+=($!)

odoo_args=(-c "$RUN_CONF" -d "$DB" --db-filter "^$DB\$" --db_host "$PGHOST" --db_port "$PGPORT"
           -r "$PGUSER" -w "$PGPASSWORD" --addons-path "$ADDONS_PATH" --http-port "$HTTP_PORT")
fresh=""
installed=$(psql -d "$DB" -tAc "SELECT count(*) FROM ir_module_module WHERE state = 'installed'
            AND name IN ('marketplace_base','marketplace_amazon','marketplace_bigcommerce','marketplace_bol')" 2>/dev/null)
if [ "$installed" != "4" ]; then
    fresh=1
    say "creating the database $DB with the suite and its demo data (a few minutes, once; log: var/run/install.log)"
    dropdb --if-exists "$DB" 2>/dev/null; createdb "$DB" || { echo "ERROR: could not create the database $DB" >&2; exit 1; }
    MARKETPLACE_SIMULATOR_URL=$sim_url run_odoo "${odoo_args[@]}" -i "$ADDONS" \
        --stop-after-init --log-level=warn > "$LOGDIR/install.log" 2>&1
    installed=$(psql -d "$DB" -tAc "SELECT count(*) FROM ir_module_module WHERE state = 'installed'
                AND name LIKE 'marketplace_%'" 2>/dev/null)
    if [ "$installed" != "4" ]; then
        echo "ERROR: installing the suite failed; see var/run/install.log:" >&2
        tail -n 20 "$LOGDIR/install.log" >&2
        dropdb --if-exists "$DB" 2>/dev/null
        exit 1
    fi
fi
# The addons' code as the database was last brought up to it: when it changed (a pull, an edit), the
# suite is updated in the database first, so new fields and data are there before it serves.
code=$(find marketplace_base marketplace_amazon marketplace_bigcommerce marketplace_bol -type f \
       ! -name '*.pyc' -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -c1-16)
if [ -n "$fresh" ]; then
    echo "$code" > "$LOGDIR/addons.hash"
elif [ "$(cat "$LOGDIR/addons.hash" 2>/dev/null)" != "$code" ]; then
    say "updating the suite in the database $DB (its code changed; log: var/run/update.log)"
    if MARKETPLACE_SIMULATOR_URL=$sim_url run_odoo "${odoo_args[@]}" -u "$ADDONS" \
            --stop-after-init --log-level=warn > "$LOGDIR/update.log" 2>&1; then
        echo "$code" > "$LOGDIR/addons.hash"
    else
        echo "ERROR: updating the suite failed; see var/run/update.log (or drop the database $DB" \
             "to start afresh: dropdb $DB)" >&2
        tail -n 20 "$LOGDIR/update.log" >&2
        exit 1
    fi
fi
say "serving http://localhost:$HTTP_PORT (database $DB, admin / admin; simulator $sim_url); Ctrl-C stops both"
MARKETPLACE_SIMULATOR_URL=$sim_url "$PY" -c "$ODOO_MAIN" "${odoo_args[@]}" --log-level=warn &
pids+=($!)
wait "${pids[-1]}"
