"""Shared by every test that needs no Odoo: makes the addons' pure-Python parts importable.

An addon's __init__.py imports its Odoo models (and so `odoo`). Registering, for each addon
directory, a bare package module (with a spec and __path__ but no code run) lets a test import
`marketplace_base.schemas.order` or `marketplace_amazon.adapter.client` without executing any
addon's __init__.py. The repository root goes on sys.path for `marketplace_simulator`.
"""

import importlib.machinery
import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ADDONS = ("marketplace_base", "marketplace_amazon", "marketplace_bigcommerce", "marketplace_bol")

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def _register_bare_package(name, directory):
    spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
    spec.submodule_search_locations = [str(directory)]
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    return module


for _addon in ADDONS:
    if _addon not in sys.modules and (REPO / _addon).is_dir():
        _register_bare_package(_addon, REPO / _addon)


# ---------------------------------------------------------------------------------------------
# the simulator, over real HTTP, for the adapters' tests
# ---------------------------------------------------------------------------------------------
import pytest  # noqa: E402
import requests  # noqa: E402


@pytest.fixture(scope="module")
def sim():
    """The base URL of a simulator of the module's own (rate limits off until a test says)."""
    from marketplace_simulator import serve_in_thread

    server, base = serve_in_thread(port=0, rate_limits=False)
    yield base
    server.shutdown()
    server.server_close()


def post(sim, path, payload):
    """POST to the simulator's control API; its answer, or None when it has no body."""
    resp = requests.post(sim + path, json=payload, timeout=10)
    assert resp.status_code < 300, resp.text
    return resp.json() if resp.content else None


def sim_state(sim, marketplace):
    return requests.get(sim + "/_sim/state?marketplace=%s" % marketplace, timeout=10).json()[marketplace]


def sim_fault(sim, marketplace, operation, kind, count=1, **extra):
    post(
        sim,
        "/_sim/faults",
        dict(marketplace=marketplace, operation=operation, kind=kind, count=count, **extra),
    )
