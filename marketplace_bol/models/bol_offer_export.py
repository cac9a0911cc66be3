from odoo import _, api, fields, models
from odoo.exceptions import UserError


class BolOfferExport(models.AbstractModel):
    """Export Stock and Export Prices on Bol.com: one offer per call, prices in euros within
    Bol's bounds, and a pricelist's quantity rules as Bol's volume prices."""

    _name = "bol.offer.export"
    _description = "Bol.com Offer Export"

    @api.model
    def _prepare_prices(self, instance, wanted, currency, log):
        """Prices in euros; Bol takes 1.00 to 9999.00 with two decimals."""
        euro = self.env.ref("base.EUR")
        today = fields.Date.context_today(self)
        prices = {}
        for listing, value in wanted.items():
            price = round(currency._convert(value, euro, instance.company_id, today), 2)
            if not 1 <= price <= 9999:
                log._add(
                    "error",
                    _(
                        "%(item)s: Bol.com takes prices from 1 to 9999 EUR, not %(price).2f: not sent.",
                        item=listing.sku or listing.barcode or listing.name,
                        price=price,
                    ),
                    record=listing,
                )
                continue
            prices[listing] = price
        return prices

    @api.model
    def _send(self, instance, client, kind, values):
        ((listing, value),) = values.items()
        if not listing.external_id:
            raise UserError(
                _(
                    "%s has no Bol.com offer id: import the listings first.",
                    listing.sku or listing.barcode or listing.name,
                )
            )
        if kind == "stock":
            # Free and forecasted quantities already leave out the open orders Odoo knows of.
            process = client.update_stock(
                listing.external_id, value, managed_by_retailer=instance.stock_basis != "on_hand"
            )
        else:
            process = client.update_price(
                listing.external_id, value, self._volume_prices(instance, listing, value)
            )
        return process["processStatusId"]

    @api.model
    def _volume_prices(self, instance, listing, unit_price):
        """[(quantity, unit price in euros)] of the pricelist's quantity rules (2 to 24 items)
        that lower the product's price, as Bol takes them after the price of one: at most three
        more, quantities rising and prices falling. Nothing when prices come from the sale price."""
        pricelist = instance.pricelist_id
        if instance.export_sale_price or not pricelist:
            return []
        euro, today = self.env.ref("base.EUR"), fields.Date.context_today(self)
        quantities = sorted({int(q) for q in pricelist.item_ids.mapped("min_quantity") if 2 <= q <= 24})
        tiers, last = [], unit_price
        for quantity in quantities:
            price = pricelist._get_product_price(listing.product_id, quantity)
            price = round(pricelist.currency_id._convert(price, euro, instance.company_id, today), 2)
            if 1 <= price < last:
                tiers.append((quantity, price))
                last = price
        return tiers[:3]

    @api.model
    def _find(self, instance, client, export):
        """The process of an offer write whose answer was lost."""
        listing = export._listings()[:1]
        event = "UPDATE_OFFER_STOCK" if export.kind == "stock" else "UPDATE_OFFER_PRICE"
        return self.env["bol.process.status"]._find(instance, client, listing.external_id, event) or None
