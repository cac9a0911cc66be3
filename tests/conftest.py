"""Make the addons' pure-Python parts importable without Odoo.

An addon's __init__ imports its Odoo models; registering a bare package per addon directory lets
tests import `marketplace_base.schemas` or `marketplace_amazon.adapter` without executing it.
"""
import sys
import types
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

for addon in ("marketplace_base", "marketplace_amazon", "marketplace_bigcommerce", "marketplace_bol"):
    if addon not in sys.modules:
        package = types.ModuleType(addon)
        package.__path__ = [str(REPO / addon)]
        sys.modules[addon] = package
