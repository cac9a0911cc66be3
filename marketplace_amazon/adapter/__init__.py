"""Pure-Python access to the Amazon SP-API (client) and translation of its payloads into the
suite's marketplace-neutral structures (mapping). Nothing here imports Odoo."""
