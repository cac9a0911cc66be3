"""The Bol.com Retailer API v10 client and payload mapping: plain Python, no Odoo."""
