#!/usr/bin/env bash
# Writes each addon's translation template (marketplace_<x>/i18n/marketplace_<x>.pot) from a
# database where the addons are installed and up to date:
#     tools/export_pot.sh DATABASE
# Database settings as for the test command (PGHOST, PGPORT, PGUSER, PGPASSWORD, else odoo.conf).
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${1:?usage: tools/export_pot.sh DATABASE}
conf() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" odoo.conf | tail -n 1; }
ODOO_DIR=$(python3 -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))')
for addon in marketplace_base marketplace_amazon marketplace_bigcommerce marketplace_bol; do
    python3 - -d "$DB" --db_host "${PGHOST:-$(conf db_host)}" --db_port "${PGPORT:-$(conf db_port)}" \
        -r "${PGUSER:-$(conf db_user)}" -w "${PGPASSWORD:-$(conf db_password)}" \
        --addons-path "$ODOO_DIR/addons,$(pwd)" --log-level=warn \
        --i18n-export="$addon/i18n/$addon.pot" --modules="$addon" <<'PYEOF'
import sys
import odoo
sys.argv[0] = "odoo"
odoo.cli.main()
PYEOF
    echo "wrote $addon/i18n/$addon.pot ($(grep -c '^msgid' "$addon/i18n/$addon.pot") strings)"
done
