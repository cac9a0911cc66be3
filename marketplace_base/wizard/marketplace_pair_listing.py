from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError


class MarketplacePairListing(models.TransientModel):
    """Choose the Odoo product of marketplace items that matched none (their order lines are on
    the default product): the instance's listing records the pairing, so later orders match,
    and the order lines that may still change take the product."""

    _name = "marketplace.pair.listing"
    _description = "Pair Marketplace Listings"

    line_ids = fields.One2many("marketplace.pair.listing.line", "wizard_id", string="Items")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "line_ids" in fields_list:
            records = self._active_records()
            rows = self._rows(records)
            if records and not rows:
                raise UserError(_("Every item of these orders matches an Odoo product: nothing to pair."))
            values["line_ids"] = [Command.create(row) for row in rows]
        return values

    def _active_records(self):
        """The orders or order lines the wizard was opened from."""
        model = self.env.context.get("active_model")
        if model not in ("sale.order", "sale.order.line"):
            return self.env["sale.order.line"]
        ids = self.env.context.get("active_ids") or [self.env.context.get("active_id")]
        return self.env[model].browse([i for i in ids if i])

    @api.model
    def _rows(self, records):
        """One row per (instance, SKU) of the lines waiting for a product."""
        lines = records if records._name == "sale.order.line" else records.order_line
        rows = {}
        for line in lines.filtered("marketplace_needs_matching"):
            instance = line.order_id.marketplace_instance_id
            key = (instance.id, line.marketplace_sku)
            if key not in rows:
                prefix = "[%s] " % line.marketplace_sku
                name = line.name[len(prefix) :] if (line.name or "").startswith(prefix) else line.name
                rows[key] = {
                    "instance_id": instance.id,
                    "sku": line.marketplace_sku,
                    "name": name,
                    "fulfilment": line.order_id.marketplace_fulfilment or "merchant",
                }
        return list(rows.values())

    def action_apply(self):
        self.ensure_one()
        self.env["marketplace.access"]._check(self.line_ids.instance_id)
        rows = self.line_ids.filtered("product_id")
        if not rows:
            raise UserError(_("Choose the Odoo product of at least one item."))
        changed = kept = self.env["sale.order.line"]
        for row in rows:
            row._pair()
            done, left = row._replace_on_open_lines()
            changed |= done
            kept |= left
        message = _(
            "%(listings)s listing(s) paired: later orders match. %(lines)s order line(s) now sell "
            "their product.",
            listings=len(rows),
            lines=len(changed),
        )
        if kept:
            message += " " + _(
                "%s line(s) already delivered or invoiced keep the default product.", len(kept)
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Listings paired"),
                "message": message,
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
