import math
from datetime import timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.adapter.records import OrderHeader, OrderPage
from odoo.addons.marketplace_base.schemas.order import Order as NeutralOrder

from ..adapter.client import PAGE_SIZE
from ..adapter.mapping import FBB_SUFFIX, latest_change, to_neutral_orders
from .marketplace_instance import fulfilment_methods

AMSTERDAM = pytz.timezone("Europe/Amsterdam")
HISTORY_DAYS = 90  # Bol lists order changes of the last 3 months
INTERVAL_MINUTES = 55  # a cursor this recent is read with change-interval-minute (at most 60)
PLAN_TIME = "%Y-%m-%d %H:%M:%S"


class BolOrderImport(models.AbstractModel):
    """A Bol.com order from Bol's lists to its sale orders. Import Orders: which order lists to
    read for the changes since the cursor, one page at a time, and each order's details (hooks
    fetch_orders, fetch_order, order_details). Process Queues: an order as one sale order per
    fulfilment method (hook queue_order)."""

    _name = "bol.order.import"
    _description = "Bol.com Order Import"

    @api.model
    def _queries(self, instance, since, now):
        """[(fulfilment method, status, filter)] that list every order changed between `since`
        and `now`: the last minutes (change-interval-minute) or each day since (latest-change-
        date, in Amsterdam's calendar, as Bol dates changes). FBR orders in the configured
        statuses (OPEN by default), FBB orders once Bol shipped them."""
        since = max(since or now - timedelta(days=3), now - timedelta(days=HISTORY_DAYS))
        minutes = (now - since).total_seconds() / 60.0
        if minutes <= INTERVAL_MINUTES:
            windows = [{"change_interval": min(60, max(1, math.ceil(minutes) + 3))}]
        else:
            first = pytz.utc.localize(since).astimezone(AMSTERDAM).date()
            last = pytz.utc.localize(now).astimezone(AMSTERDAM).date()
            windows = [
                {"change_date": (first + timedelta(days=n)).isoformat()}
                for n in range((last - first).days + 1)
            ]
        methods = fulfilment_methods(instance)
        lists = [(method, self._fbr_status(instance) if method == "FBR" else "SHIPPED") for method in methods]
        if lists == [("FBR", "ALL"), ("FBB", "SHIPPED")]:
            lists = [
                ("ALL", "ALL")
            ]  # one list holds both (FBB parts not shipped yet wait: see to_neutral_orders)
        return [(method, status, window) for method, status in lists for window in windows]

    @api.model
    def _fbr_status(self, instance):
        codes = set(instance.order_status_ids.filtered(lambda s: s.marketplace == "bol").mapped("code"))
        return codes.pop() if len(codes) == 1 else ("ALL" if codes else "OPEN")

    @api.model
    def _page(self, instance, client, since, token):
        """One page of one query of `_queries`; the token says which (query:page:planned at).
        The queries are planned from the time of the run's first page, which the token carries,
        so that a run crossing midnight or the hour keeps its plan."""
        if token:
            index, page, planned = token.split(":", 2)
            index, page, now = int(index), int(page), fields.Datetime.to_datetime(planned)
        else:
            index, page, now = 0, 1, fields.Datetime.now()
        queries = self._queries(instance, since, now)
        method, status, window = queries[index]
        orders = client.orders_page(method, status, page, **window)
        planned = now.strftime(PLAN_TIME)
        if len(orders) >= PAGE_SIZE:
            next_token = "%d:%d:%s" % (index, page + 1, planned)
        else:
            next_token = "%d:1:%s" % (index + 1, planned) if index + 1 < len(queries) else None
        headers = [
            OrderHeader(
                reference=str(o["orderId"]), updated_at=latest_change(o.get("orderItems") or []), raw=o
            )
            for o in orders
            if o.get("orderItems")
        ]
        return OrderPage(orders=headers, next_token=next_token)

    @api.model
    def _fetch_one(self, client, reference):
        """One order by its reference (that of its FBB part included), with its details."""
        order = client.order(reference[: -len(FBB_SUFFIX)] if reference.endswith(FBB_SUFFIX) else reference)
        return OrderHeader(
            reference=str(order["orderId"]),
            updated_at=latest_change(order.get("orderItems") or []),
            raw=order,
        )

    @api.model
    def _details(self, instance, client, header):
        """The order with its details (a listed order has none: its shipment details say so);
        items the customer asked to cancel are confirmed to Bol first (when Odoo has not shipped
        them), so that the order arrives without them."""
        order = header.raw if "shipmentDetails" in header.raw else client.order(header.reference)
        if "FBR" in fulfilment_methods(instance):
            self.env["bol.order.cancellation"]._confirm(instance, client, order)
        return order

    # processing ----------------------------------------------------------------------------------
    @api.model
    def _process(self, instance, payload, log):
        """One Bol order -> its sale orders (one per fulfilment method: see adapter.mapping);
        an item whose EAN matches no product fails the line unless products may be created."""
        sales = self.env["sale.order"]
        for part in to_neutral_orders(payload, fulfilment_methods(instance)):
            order = NeutralOrder.model_validate(part)
            known = sales.search_count(
                [
                    ("marketplace_instance_id", "=", instance.id),
                    ("marketplace_order_ref", "=", order.external_id),
                ],
                limit=1,
            )
            sale = self.env["marketplace.order.service"]._import(instance, order, log)
            if not known:
                self._check_products(instance, order, sale)
            sales |= sale
        self.env["bol.order.cancellation"]._report(instance, payload, sales, log)
        return sales[:1]

    @api.model
    def _check_products(self, instance, order, sale):
        """An item whose EAN matched nothing landed on the default product: the line fails
        instead (its savepoint undoes the order), unless products may be created; so does an
        item whose product is archived, with the reason, whatever the instance creates."""
        if not sale:
            return
        fallback = self.env["marketplace.product.resolver"]._fallback_products(instance)
        unmatched = sale.order_line.filtered(lambda l: l.product_id in fallback and l.marketplace_line_ref)
        archived = unmatched.filtered("marketplace_matching_reason")[:1]
        if archived:
            raise UserError(
                _(
                    "Order %(order)s: %(reason)s Then Retry.",
                    order=order.reference,
                    reason=archived.marketplace_matching_reason,
                )
            )
        if unmatched and not instance.create_products:
            line = next(l for l in order.lines if l.external_id == unmatched[0].marketplace_line_ref)
            raise UserError(
                _(
                    "Order %(order)s: no Odoo product matches EAN %(ean)s (offer reference %(ref)s). Create the "
                    "product or import the listings, or let the instance create products, then Retry.",
                    order=order.reference,
                    ean=line.barcode or "-",
                    ref=line.sku or "-",
                )
            )
