import json

from odoo import _, fields, models


class AmazonFeed(models.Model):
    """A JSON_LISTINGS_FEED sent to Amazon, followed until Amazon has processed it."""

    _name = "amazon.feed"
    _description = "Amazon Listings Feed"
    _order = "id desc"

    name = fields.Char(string="Feed ID", required=True, readonly=True)
    instance_id = fields.Many2one("marketplace.instance", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    kind = fields.Selection([("stock", "Stock"), ("price", "Price")], required=True, readonly=True)
    state = fields.Selection(
        [("pending", "Waiting for Amazon"), ("done", "Done"), ("failed", "Failed")],
        default="pending", required=True, readonly=True, index=True,
    )
    amazon_status = fields.Char(string="Amazon Status", readonly=True)
    values = fields.Text(readonly=True, help="What was sent, per SKU (JSON).")
    accepted_count = fields.Integer(readonly=True)
    rejected_count = fields.Integer(readonly=True)

    def _sent(self):
        return json.loads(self.values or "{}")

    def _apply_results(self, results, log):
        """Record each SKU's outcome on its offer: exported value, or Amazon's errors."""
        self.ensure_one()
        sent = self._sent()
        listings = self.env["marketplace.listing"].search(
            [("instance_id", "=", self.instance_id.id), ("sku", "in", list(sent))]
        )
        value_field = "exported_qty" if self.kind == "stock" else "exported_price"
        accepted = rejected = 0
        for listing in listings:
            result = results.get(listing.sku, {"status": "accepted", "errors": []})
            if result["status"] == "accepted":
                accepted += 1
                listing.write({value_field: sent[listing.sku], "sync_state": "synced", "sync_error": False,
                               "last_sync": fields.Datetime.now()})
            else:
                rejected += 1
                error = "; ".join(result["errors"]) or _("Rejected by Amazon.")
                listing.write({"sync_state": "error", "sync_error": error})
                log._add("error", _("Amazon rejected the %(kind)s of %(sku)s: %(error)s",
                                    kind=self.kind, sku=listing.sku, error=error), record=listing)
        self.write({"state": "done", "accepted_count": accepted, "rejected_count": rejected})
        log._add("success", _("Feed %(feed)s: %(ok)s accepted, %(ko)s rejected.",
                              feed=self.name, ok=accepted, ko=rejected))

    def _fail(self, status, log):
        listings = self.env["marketplace.listing"].search(
            [("instance_id", "=", self.instance_id.id), ("sku", "in", list(self._sent()))]
        )
        message = _("Amazon could not process feed %(feed)s (%(status)s).", feed=self.name, status=status)
        listings.write({"sync_state": "error", "sync_error": message})
        self.write({"state": "failed", "amazon_status": status})
        log._add("error", message)
