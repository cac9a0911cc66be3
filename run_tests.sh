#!/usr/bin/env bash
# The suite's test command: Python requirements, PostgreSQL, a fresh database with every addon of
# the suite installed, the Odoo tests, then the tests that need no Odoo. Exits non-zero on any
# failure or install error. See README.md, "Running the tests".
#
# Environment: PYTHON (default python3), ODOO_PATH (an Odoo 17 source tree; otherwise Odoo must be
# importable by $PYTHON), PGHOST, PGPORT, PGUSER, PGPASSWORD (otherwise odoo.conf's db_* values),
# MARKETPLACE_TEST_DB (default marketplace_test), WITHOUT_DEMO=1 to install without demo data.
set -uo pipefail
cd "$(dirname "$0")"
REPO=$(pwd)
PY=${PYTHON:-python3}
ADDONS=marketplace_base,marketplace_amazon,marketplace_bigcommerce,marketplace_bol
DB=${MARKETPLACE_TEST_DB:-marketplace_test}
LOGDIR=${MARKETPLACE_TEST_LOGS:-$REPO/var/test-logs}
mkdir -p "$LOGDIR"
status=0
summary=()

conf() {  # value of a key in odoo.conf
    sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$REPO/odoo.conf" | tail -n 1
}

# The UI tours (marketplace_base/tests/test_ui_tour.py) need a browser: Debian's chromium, installed
# here when missing and we are root (elsewhere the tours are skipped with a message).
if ! command -v chromium >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== Chromium (browser tours)"
    (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "WARNING: could not install chromium"
fi

echo "== Python requirements"
if ! "$PY" -m pip install -q --disable-pip-version-check -r requirements.txt; then
    echo "ERROR: could not install requirements.txt"
    exit 1
fi

# ---------------------------------------------------------------------------------------------
# Odoo suite
# ---------------------------------------------------------------------------------------------
odoo_found=""
if [ -n "${ODOO_PATH:-}" ]; then
    if [ -f "$ODOO_PATH/odoo/release.py" ]; then
        export PYTHONPATH="$ODOO_PATH${PYTHONPATH:+:$PYTHONPATH}"
        odoo_found="ODOO_PATH=$ODOO_PATH"
    else
        skip_reason="ODOO_PATH=$ODOO_PATH holds no Odoo source tree"
    fi
fi
if [ -z "$odoo_found" ] && [ -z "${skip_reason:-}" ]; then
    if "$PY" -c 'import odoo.release as r, sys; sys.exit(r.version_info[0] != 17)' 2>/dev/null; then
        odoo_found="importable by $PY"
    else
        skip_reason="no Odoo 17 is importable by $PY and ODOO_PATH is not set"
    fi
fi

run_odoo() {  # odoo-bin with the suite's addons path and database settings
    "$PY" - "$@" <<'PYEOF'
import sys
import odoo
sys.argv[0] = "odoo"
odoo.cli.main()
PYEOF
}

if [ -n "$odoo_found" ]; then
    ODOO_DIR=$("$PY" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))')
    addons_path="$REPO"
    [ -d "$ODOO_DIR/addons" ] && addons_path="$ODOO_DIR/addons,$REPO"
    export PGHOST=${PGHOST:-$(conf db_host)}
    export PGPORT=${PGPORT:-$(conf db_port)}
    export PGUSER=${PGUSER:-$(conf db_user)}
    export PGPASSWORD=${PGPASSWORD:-$(conf db_password)}
    echo "== Odoo 17 found ($odoo_found, $ODOO_DIR); PostgreSQL $PGUSER@$PGHOST:$PGPORT, database $DB"

    # PostgreSQL up: start the local cluster when it is installed but stopped.
    if ! pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; then
        if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
            echo "== starting the local PostgreSQL cluster"
            for version in $(ls /etc/postgresql); do
                pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
            done
            for _i in $(seq 1 30); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
        fi
    fi
    # Odoo refuses the postgres superuser: make sure our role exists (trust auth on a dev box).
    if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
        PGUSER=postgres PGPASSWORD= psql -d postgres -qc \
            "CREATE ROLE \"$PGUSER\" LOGIN CREATEDB PASSWORD '$PGPASSWORD'" >/dev/null 2>&1 || true
    fi
    if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
        echo "ERROR: cannot reach PostgreSQL as $PGUSER@$PGHOST:$PGPORT"
        status=1
        summary+=("odoo suite: not run, PostgreSQL unreachable")
    else
        dropdb --if-exists "$DB" && createdb "$DB"
        db_args=(-d "$DB" --db_host "$PGHOST" --db_port "$PGPORT" -r "$PGUSER" -w "$PGPASSWORD"
                 --addons-path "$addons_path" --http-port "${ODOO_TEST_HTTP_PORT:-8969}" --stop-after-init)
        demo_args=()
        [ "${WITHOUT_DEMO:-0}" = "1" ] && demo_args=(--without-demo=all)

        echo "== installing $ADDONS into a fresh database (log: $LOGDIR/install.log)"
        run_odoo "${db_args[@]}" "${demo_args[@]}" -i "$ADDONS" --log-level=info > "$LOGDIR/install.log" 2>&1
        install_rc=$?
        # Our modules must install without a single ERROR or WARNING; nothing may fail to load.
        bad_lines=$(grep -E ' (ERROR|CRITICAL) |( WARNING .*marketplace)' "$LOGDIR/install.log" || true)
        installed=$(psql -d "$DB" -tAc "SELECT count(*) FROM ir_module_module WHERE state = 'installed'
                    AND name IN ('marketplace_base','marketplace_amazon','marketplace_bigcommerce','marketplace_bol')" 2>/dev/null)
        if [ $install_rc -ne 0 ] || [ -n "$bad_lines" ] || [ "$installed" != "4" ]; then
            echo "ERROR: installing the addons failed (exit $install_rc, $installed of 4 installed):"
            echo "$bad_lines" | head -n 40
            status=1
            summary+=("odoo suite: not run, install failed")
        else
            echo "   installed, no error or warning from the suite"
            echo "== Odoo tests (log: $LOGDIR/odoo-tests.log)"
            tags="/marketplace_base,/marketplace_amazon,/marketplace_bigcommerce,/marketplace_bol"
            run_odoo "${db_args[@]}" --test-enable --test-tags "$tags" --log-level=test \
                > "$LOGDIR/odoo-tests.log" 2>&1
            test_rc=$?
            grep -E ' (ERROR|CRITICAL) |: (FAIL|ERROR): ' "$LOGDIR/odoo-tests.log" | head -n 60
            result=$(grep -E 'odoo.tests.result: [0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' \
                     "$LOGDIR/odoo-tests.log" | tail -n 1)
            if [ -z "$result" ]; then
                echo "ERROR: the Odoo test run printed no result (exit $test_rc); see the log"
                tail -n 30 "$LOGDIR/odoo-tests.log"
                status=1
                summary+=("odoo suite: no result")
            else
                failed=$(echo "$result" | sed -E 's/.*: ([0-9]+) failed, ([0-9]+) error.*/\1/')
                errors=$(echo "$result" | sed -E 's/.*: ([0-9]+) failed, ([0-9]+) error.*/\2/')
                ran=$(echo "$result" | sed -E 's/.* of ([0-9]+) tests.*/\1/')
                bad=$((failed + errors))
                summary+=("odoo suite: $ran run, $((ran - bad)) passed, $bad failed")
                odoo_passed=$((ran - bad)); odoo_failed=$bad
                if [ "$bad" -ne 0 ] || [ "$ran" -eq 0 ] || [ $test_rc -ne 0 ]; then status=1; fi
            fi
        fi
    fi
else
    echo "Odoo suite skipped: $skip_reason."
    summary+=("odoo suite: skipped ($skip_reason)")
fi

# ---------------------------------------------------------------------------------------------
# Tests that need no Odoo (simulator, schemas, adapters)
# ---------------------------------------------------------------------------------------------
echo "== tests without Odoo (pytest tests/)"
"$PY" -m pytest tests -q -p no:cacheprovider 2>&1 | tee "$LOGDIR/pytest.log"
py_rc=${PIPESTATUS[0]}
line=$(grep -E '^=*.*[0-9]+ (passed|failed|error)' "$LOGDIR/pytest.log" | tail -n 1)
py_passed=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
py_failed=$(( $(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || echo 0) \
            + $(echo "$line" | grep -oE '[0-9]+ errors?' | grep -oE '[0-9]+' || echo 0) ))
py_passed=${py_passed:-0}
summary+=("no-odoo suite: $((py_passed + py_failed)) run, $py_passed passed, $py_failed failed")
if [ $py_rc -ne 0 ] && [ $py_rc -ne 5 ]; then status=1; fi  # 5: pytest collected nothing

echo
echo "== summary"
for entry in "${summary[@]}"; do echo "$entry"; done
total_passed=$(( ${odoo_passed:-0} + py_passed ))
total_failed=$(( ${odoo_failed:-0} + py_failed ))
[ $status -ne 0 ] && [ $total_failed -eq 0 ] && total_failed=1  # an install error counts as a failure
echo "total: $total_passed passed, $total_failed failed"
exit $status
