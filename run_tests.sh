#!/usr/bin/env bash
# The suite's test command: Python requirements, PostgreSQL, a fresh database with every addon of
# the suite installed, the Odoo tests, then the tests that need no Odoo. Exits non-zero on any
# failure or install error. See README.md, "Running the tests".
#
# The set-up (Python, PostgreSQL and its role, Odoo 17 from ODOO_PATH, an importable Odoo, .odoo/,
# ../shared/vendor/odoo-17.0.tar.xz or a clone, and the virtual environment .venv/) is
# tools/setup_env.sh, shared with ./run.sh. Under CI (CI=true) an Odoo suite that cannot run fails.
#
# Environment: PYTHON, ODOO_PATH, PGHOST, PGPORT, PGUSER, PGPASSWORD (see tools/setup_env.sh),
# MARKETPLACE_TEST_DB (default marketplace_test), ODOO_TEST_HTTP_PORT (default 8969),
# WITHOUT_DEMO=1 to install without demo data, ODOO_TEST_TAGS to run a subset of the Odoo tests.
set -uo pipefail
cd "$(dirname "$0")"
REPO=$(pwd)
ADDONS=marketplace_base,marketplace_amazon,marketplace_bigcommerce,marketplace_bol
DB=${MARKETPLACE_TEST_DB:-marketplace_test}
LOGDIR=${MARKETPLACE_TEST_LOGS:-$REPO/var/test-logs}
mkdir -p "$LOGDIR"
status=0
summary=()
# shellcheck source=tools/setup_env.sh
. "$REPO/tools/setup_env.sh"

# The UI tours (marketplace_base/tests/test_ui_tour.py) need a browser: Debian's chromium, installed
# here when missing and we are root (elsewhere the tours are skipped with a message).
if ! command -v chromium >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Chromium (browser tours)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1) \
        || echo "WARNING: could not install chromium"
fi

# ---------------------------------------------------------------------------------------------
# Odoo suite: Python, PostgreSQL, Odoo 17 and the requirements (tools/setup_env.sh)
# ---------------------------------------------------------------------------------------------
odoo_found=""
if setup_all; then
    odoo_found=$ODOO_FROM
else
    skip_reason="the set-up above failed"
    # Without Odoo, the tests that need none still run, with the Python at hand.
    PY=${PY:-${BASE_PY:-${PYTHON:-python3}}}
    "$PY" -m pip install -q --disable-pip-version-check -r requirements.txt >/dev/null 2>&1 || true
fi

if [ -n "$odoo_found" ]; then
    say "Odoo 17 from $odoo_found ($ODOO_DIR); PostgreSQL $PGUSER@$PGHOST:$PGPORT, database $DB"
    {
        dropdb --if-exists "$DB" && createdb "$DB"
        db_args=(-d "$DB" --db_host "$PGHOST" --db_port "$PGPORT" -r "$PGUSER" -w "$PGPASSWORD"
                 --addons-path "$ADDONS_PATH" --http-port "${ODOO_TEST_HTTP_PORT:-8969}" --stop-after-init)
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
            tags=${ODOO_TEST_TAGS:-/marketplace_base,/marketplace_amazon,/marketplace_bigcommerce,/marketplace_bol}
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
    }
else
    if [ "${CI:-}" = "true" ]; then
        status=1
        echo "ERROR: the Odoo suite cannot run ($skip_reason); under CI that is a failure."
        summary+=("odoo suite: NOT RUN ($skip_reason): a failure under CI")
    else
        echo "WARNING: THE ODOO SUITE DID NOT RUN ($skip_reason): this run proves nothing about the addons."
        summary+=("odoo suite: SKIPPED, NOT RUN ($skip_reason): the addons are untested")
    fi
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

# ---------------------------------------------------------------------------------------------
# Formatting: the code as `ruff format` writes it (configuration: pyproject.toml)
# ---------------------------------------------------------------------------------------------
echo "== formatting (ruff format --check)"
if "$PY" -m ruff --version >/dev/null 2>&1; then
    if "$PY" -m ruff format --check --quiet . > "$LOGDIR/format.log" 2>&1; then
        summary+=("formatting: as ruff format writes it")
    else
        status=1
        sed -n '1,20p' "$LOGDIR/format.log"
        summary+=("formatting: $(grep -c '^Would reformat' "$LOGDIR/format.log") files differ from ruff format (run: ruff format .)")
    fi
else
    status=1
    summary+=("formatting: NOT CHECKED (ruff is missing from the environment): a failure")
fi

echo
echo "== summary"
for entry in "${summary[@]}"; do echo "$entry"; done
total_passed=$(( ${odoo_passed:-0} + py_passed ))
total_failed=$(( ${odoo_failed:-0} + py_failed ))
[ $status -ne 0 ] && [ $total_failed -eq 0 ] && total_failed=1  # an install error counts as a failure
echo "total: $total_passed passed, $total_failed failed"
exit $status
