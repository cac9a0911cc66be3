# Shared set-up of ./run.sh and ./run_tests.sh (sourced, not run): a Python, PostgreSQL and its
# role, an Odoo 17 source tree and a virtual environment with Odoo's and the suite's requirements.
# Quiet when everything is in place; progress lines on the long steps; one line saying what to do
# when something is missing. Sets PY (the Python that runs Odoo), ODOO_DIR, ADDONS_PATH and the PG*
# variables. See README.md, "Running the tests" and "Troubleshooting".
#
# Environment: PYTHON (interpreter to start from), ODOO_PATH (an Odoo 17 source tree), PGHOST,
# PGPORT, PGUSER, PGPASSWORD (otherwise odoo.conf's db_* values), MARKETPLACE_VENV (the folder
# of the virtual environments, default .venv), ODOO_ARCHIVE (default ../shared/vendor/odoo-17.0.tar.xz).

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
ODOO_ARCHIVE=${ODOO_ARCHIVE:-$REPO/../shared/vendor/odoo-17.0.tar.xz}
ODOO_ARCHIVE_SHA256=98f0221f28d3916def8c4ca256e15aada52d8179bd64c477c89e1535f3b7f216
ODOO_GIT_URL=${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}
ODOO_UNPACKED=$REPO/.odoo/odoo-17.0
VENV_ROOT=${MARKETPLACE_VENV:-$REPO/.venv}

say() { echo "== $*"; }
fail() { echo "ERROR: $*" >&2; return 1; }

conf() {  # value of a key in odoo.conf
    sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$REPO/odoo.conf" | tail -n 1
}

is_odoo17_tree() { [ -f "$1/odoo/release.py" ] && grep -q "version_info = (17," "$1/odoo/release.py"; }

# --- Python -----------------------------------------------------------------------------------
setup_python() {  # BASE_PY: a Python 3.10-3.12 (Odoo 17's range), 3.11 preferred
    local candidate
    for candidate in ${PYTHON:-} python3.11 python3 python3.12 python3.10; do
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))'; then
            BASE_PY=$(command -v "$candidate"); return 0
        fi
    done
    fail "no Python 3.10-3.12 found (Odoo 17 needs one; 3.11 preferred): install python3.11 (apt-get install python3.11 python3.11-venv) or set PYTHON"
}

# --- PostgreSQL -------------------------------------------------------------------------------
setup_postgres() {
    export PGHOST=${PGHOST:-$(conf db_host)}
    export PGPORT=${PGPORT:-$(conf db_port)}
    export PGUSER=${PGUSER:-$(conf db_user)}
    export PGPASSWORD=${PGPASSWORD:-$(conf db_password)}
    if ! command -v psql >/dev/null || ! command -v pg_isready >/dev/null; then
        fail "PostgreSQL's client tools are missing: install PostgreSQL (apt-get install postgresql) or put psql on PATH"
        return 1
    fi
    if ! pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; then
        if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
            say "starting the local PostgreSQL cluster"
            local version
            for version in $(ls /etc/postgresql); do
                pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
            done
            local _i
            for _i in $(seq 1 30); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
        fi
    fi
    if ! pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; then
        fail "no PostgreSQL answers at $PGHOST:$PGPORT: start it (pg_ctlcluster 15 main start) or set PGHOST/PGPORT"
        return 1
    fi
    # Odoo refuses the postgres superuser: make sure our role exists (as the postgres role over
    # trust auth, or through the postgres system user when we are root).
    if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
        say "creating the PostgreSQL role $PGUSER"
        local sql="CREATE ROLE \"$PGUSER\" LOGIN CREATEDB PASSWORD '$PGPASSWORD'"
        PGUSER=postgres PGPASSWORD= psql -d postgres -qc "$sql" >/dev/null 2>&1 \
            || { [ "$(id -u)" = 0 ] && command -v runuser >/dev/null \
                 && runuser -u postgres -- psql -d postgres -qc "$sql" >/dev/null 2>&1; } || true
    fi
    if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
        fail "cannot log in to PostgreSQL as $PGUSER@$PGHOST:$PGPORT: create the role (createuser --createdb $PGUSER) or set PGUSER/PGPASSWORD"
        return 1
    fi
}

# --- Odoo source ------------------------------------------------------------------------------
setup_odoo_source() {  # ODOO_DIR and ODOO_FROM; ODOO_SYSTEM=1 when BASE_PY imports Odoo itself
    ODOO_SYSTEM=0
    if [ -n "${ODOO_PATH:-}" ]; then
        is_odoo17_tree "$ODOO_PATH" || { fail "ODOO_PATH=$ODOO_PATH holds no Odoo 17 source tree"; return 1; }
        ODOO_DIR=$ODOO_PATH; ODOO_FROM="ODOO_PATH"; return 0
    fi
    local system_dir
    system_dir=$("$BASE_PY" -c 'import os, odoo.release as r
assert r.version_info[0] == 17
print(os.path.dirname(os.path.dirname(r.__file__)))' 2>/dev/null)
    if [ -n "$system_dir" ]; then
        ODOO_DIR=$system_dir; ODOO_FROM="importable by $BASE_PY"; ODOO_SYSTEM=1; return 0
    fi
    if [ -f "$ODOO_UNPACKED/.complete" ] && is_odoo17_tree "$ODOO_UNPACKED"; then
        ODOO_DIR=$ODOO_UNPACKED; ODOO_FROM=".odoo/ (unpacked earlier)"; return 0
    fi
    rm -rf "$ODOO_UNPACKED"; mkdir -p "$REPO/.odoo"
    if [ -f "$ODOO_ARCHIVE" ]; then
        say "checking and unpacking $(basename "$ODOO_ARCHIVE") into .odoo/ (once)"
        local sum
        sum=$(sha256sum "$ODOO_ARCHIVE" | cut -d' ' -f1)
        [ "$sum" = "$ODOO_ARCHIVE_SHA256" ] || { fail "$ODOO_ARCHIVE: sha256 $sum, expected $ODOO_ARCHIVE_SHA256 (a damaged or different archive)"; return 1; }
        tar -xJf "$ODOO_ARCHIVE" -C "$REPO/.odoo" || { fail "could not unpack $ODOO_ARCHIVE"; return 1; }
        ODOO_FROM="the archive $(basename "$ODOO_ARCHIVE")"
    else
        say "cloning Odoo 17.0 (shallow) into .odoo/ (once)"
        git clone -q --depth 1 --branch 17.0 "$ODOO_GIT_URL" "$ODOO_UNPACKED" \
            || { fail "no Odoo 17 found: set ODOO_PATH to an Odoo 17 source tree, or put odoo-17.0.tar.xz in ../shared/vendor/"; return 1; }
        ODOO_FROM="a clone of $ODOO_GIT_URL"
    fi
    is_odoo17_tree "$ODOO_UNPACKED" || { fail "the unpacked tree holds no Odoo 17"; return 1; }
    touch "$ODOO_UNPACKED/.complete"
    ODOO_DIR=$ODOO_UNPACKED
}

# --- Python packages --------------------------------------------------------------------------
apt_install_missing() {  # Debian packages the pip builds need, when we are root
    local missing=() pkg
    for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing ${missing[*]} (apt-get)"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/dev/null 2>&1 \
            || echo "WARNING: could not install ${missing[*]}"
    else
        echo "WARNING: missing Debian packages ${missing[*]} (needed to build Odoo's requirements); install them as root"
    fi
}

setup_packages() {  # PY: the interpreter that runs Odoo, with every requirement installed
    if [ "$ODOO_SYSTEM" = 1 ]; then
        PY=$BASE_PY
        mkdir -p "$REPO/var"
        "$PY" -m pip install --disable-pip-version-check -r "$REPO/requirements.txt" \
            > "$REPO/var/setup-pip.log" 2>&1 \
            || { tail -n 25 "$REPO/var/setup-pip.log" >&2; fail "could not install requirements.txt into $PY"; return 1; }
        return 0
    fi
    # One environment per set of inputs (Odoo's requirements, ours, the pins, the Python version),
    # each in its own folder: a change of inputs builds a new one beside the old, never under a
    # process that still uses the old one.
    local pins="setuptools<81 wheel" key
    key=$({ cat "$ODOO_DIR/requirements.txt" "$REPO/requirements.txt"; echo "$pins"; } | sha256sum | cut -c1-12)
    VENV=$VENV_ROOT/py$("$BASE_PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-$key
    PY=$VENV/bin/python
    [ -x "$PY" ] && [ -f "$VENV/.complete" ] && return 0
    command -v dpkg >/dev/null && apt_install_missing libldap2-dev libsasl2-dev libpq-dev gcc
    say "installing Odoo's and the suite's Python requirements into ${VENV#$REPO/}/ (a few minutes, once)"
    rm -rf "$VENV"
    "$BASE_PY" -m venv "$VENV" || { fail "could not create a virtual environment: install python3-venv"; return 1; }
    # setuptools below 81: `import odoo` needs pkg_resources. One resolver run for Odoo's pins and
    # ours, so that nothing of ours moves Odoo's requests/urllib3.
    local log="$REPO/var/setup-pip.log"
    mkdir -p "$REPO/var"
    # shellcheck disable=SC2086
    { "$PY" -m pip install --disable-pip-version-check $pins \
        && "$PY" -m pip install --disable-pip-version-check $pins \
            -r "$ODOO_DIR/requirements.txt" -r "$REPO/requirements.txt"; } > "$log" 2>&1 \
        || { tail -n 25 "$log" >&2; rm -rf "$VENV"
             fail "could not install the Python requirements (pip's log: var/setup-pip.log)"; return 1; }
    touch "$VENV/.complete"
}

# --- everything -------------------------------------------------------------------------------
setup_all() {
    setup_python && setup_postgres && setup_odoo_source && setup_packages || return 1
    ADDONS_PATH=$REPO
    [ -d "$ODOO_DIR/addons" ] && ADDONS_PATH="$ODOO_DIR/addons,$REPO"
    [ "$ODOO_SYSTEM" = 1 ] || export PYTHONPATH="$ODOO_DIR${PYTHONPATH:+:$PYTHONPATH}"
    export ODOO_DIR ADDONS_PATH PY
}

# Odoo's command line, run by the Python that has Odoo's requirements (python -c, so that a server
# started in the background is that Python's own process, which run.sh's Ctrl-C can stop).
ODOO_MAIN='import sys, odoo; sys.argv[0] = "odoo"; odoo.cli.main()'
run_odoo() {
    "$PY" -c "$ODOO_MAIN" "$@"
}
