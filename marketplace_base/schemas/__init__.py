"""Marketplace-neutral payloads (pydantic v2). Nothing here imports Odoo, so connectors'
translations from their APIs to these models are tested without a database."""
