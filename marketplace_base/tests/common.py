import json

from odoo.tests import TransactionCase

from .feedback_common import JobFeedbackMixin


class MarketplaceCase(JobFeedbackMixin, TransactionCase):
    """A generic instance (marketplace-neutral payloads) and helpers to feed its queues: the
    engine's behaviour does not depend on a marketplace."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.code = "generic"
        cls.instance = cls.env["marketplace.instance"].create(
            {
                "name": "Test Store",
                "marketplace": cls.code,
                # The engine's tests choose their workflows; a new instance confirms by default.
                "workflow_id": False,
                "marketplace_workflow_id": False,
            }
        )
        cls.products = cls.env["product.product"].create(
            [
                {
                    "name": "Widget %s" % i,
                    "default_code": "WID-%s" % i,
                    "barcode": "871000000%04d" % i,
                    "type": "product",
                }
                for i in range(1, 4)
            ]
        )

    def _listing_payload(self, sku, **extra):
        return dict({"sku": sku, "external_id": "ext-%s" % sku, "name": "Item %s" % sku}, **extra)

    def _queue(self, records, kind="listing", instance=None):
        return self.env["marketplace.queue"]._enqueue(instance or self.instance, kind, records)

    def _raw_line(self, queue, ref, raw):
        """A line holding raw text, as when the marketplace sent something unparsable."""
        return self.env["marketplace.queue.line"].create({"queue_id": queue.id, "name": ref, "payload": raw})

    def _logs(self, job="process_queues"):
        return self.env["marketplace.log"].search(
            [("instance_id", "=", self.instance.id), ("job", "=", job)], order="id desc"
        )

    @staticmethod
    def _json(value):
        return json.dumps(value)
