from datetime import timedelta

from odoo import _, api, models

from odoo.addons.marketplace_base.adapter.records import ExportStatus

from ..adapter.client import FEED_DONE_STATUSES


class AmazonFeed(models.AbstractModel):
    """An account's JSON_LISTINGS_FEED exports (one marketplace.export each): the messages sent
    and what Amazon's processing report says of each."""

    _name = "amazon.feed"
    _description = "Amazon Listings Feed"

    @api.model
    def _messages(self, instance, client, kind, values):
        """The feed's messages, each numbered by the rank of its listing's id among the export's
        listings: the messageIds of a report map back to listings whatever happens to them
        meanwhile (a listing deleted, or its SKU changed)."""
        home = instance._home_amazon_marketplace()
        currency = (home.country_id.currency_id or instance.currency_id).name
        ranked = [
            (rank, listing)
            for rank, listing in enumerate(sorted(values, key=lambda l: l.id), 1)
            if listing.sku
        ]
        if kind == "stock":
            return [client.stock_message(l.sku, values[l], rank) for rank, l in ranked]
        return [
            client.price_message(l.sku, values[l], currency, rank, marketplace_id=home.api_ref)
            for rank, l in ranked
        ]

    @api.model
    def _submit(self, instance, client, kind, values):
        """Stock is one figure for every synchronized marketplace; prices are the home marketplace's."""
        home = instance._home_amazon_marketplace()
        marketplaces = (home | instance.amazon_marketplace_ids) if kind == "stock" else home
        return client.submit_listings_feed(
            instance.amazon_seller_id,
            marketplaces.mapped("api_ref"),
            self._messages(instance, client, kind, values),
        )

    @api.model
    def _find_lost(self, instance, client, export):
        """The feed created for an export whose answer was lost, if Amazon has it."""
        known = set(self.env["marketplace.export"].search([("instance_id", "=", instance.id)]).mapped("name"))
        since = export.create_date - timedelta(minutes=1)
        feeds = [f for f in client.recent_feeds("JSON_LISTINGS_FEED", since) if f.get("feedId") not in known]
        return feeds[0]["feedId"] if feeds else None

    @api.model
    def _results(self, instance, client, export):
        status = client.feed_status(export.name)
        state = status.get("processingStatus")
        if state not in FEED_DONE_STATUSES:
            return ExportStatus(status=state)
        if state != "DONE":
            return ExportStatus(
                status=state,
                finished=True,
                error=_(
                    "Amazon could not process feed %(feed)s (%(status)s).", feed=export.name, status=state
                ),
            )
        # the messages as sent: numbered by the rank of the listing's id (see _messages)
        ranked = [
            (rank, l)
            for rank, l in enumerate(self.env["marketplace.listing"].browse(sorted(export._sent())), 1)
            if l.exists()
        ]
        sent = [(rank, l) for rank, l in ranked if l.sku]
        by_sku = {l.sku: l.id for _rank, l in sent}
        results = client.feed_results(export.name, [{"messageId": rank, "sku": l.sku} for rank, l in sent])
        reasons = {
            by_sku[sku]: "; ".join(r["errors"]) or _("Rejected by Amazon.")
            for sku, r in results.items()
            if sku in by_sku and r["status"] != "accepted"
        }
        reasons.update({l.id: _("No SKU: not sent to Amazon.") for _rank, l in ranked if not l.sku})
        return ExportStatus(status=state, finished=True, results=reasons)
