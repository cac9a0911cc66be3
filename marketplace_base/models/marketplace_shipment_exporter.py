from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..adapter.transport import Ambiguous, MarketplaceError, Throttled
from .marketplace_claim import claim, to_send_domain


class MarketplaceShipmentExporter(models.AbstractModel):
    """Export Order Status / Tracking: each validated merchant-fulfilled delivery told to its
    marketplace once, and each received marketplace return whose marketplace waits for it.

    A confirmation is not idempotent, so a delivery is never sent twice on a guess: it is
    marked "sending" (committed under a cron) before the call; an answer that is lost (timeout,
    server error) leaves it "unconfirmed", and the next run asks the marketplace whether the
    shipment arrived before sending it again.

    A marketplace that answers a write asynchronously (Bol.com's process statuses) returns a
    reference from the send hook: the delivery is then "sent" until Check Export Results reads
    the outcome (`_run_follow`, hook `read_shipment`). Deliveries are "shipment" pickings;
    incoming return pickings are "return" ones (hooks `send_return`, `return_sent`,
    `read_return`)."""

    _name = "marketplace.shipment.exporter"
    _description = "Marketplace Shipment Export"

    @api.model
    def _run(self, instance, run, pickings=None):
        failures = []
        for picking_id in (pickings or self._to_export(instance)).ids:
            picking = self._take(picking_id)
            if not picking:
                continue
            error = self._export_one(instance, run, picking)
            if error:
                failures.append((picking, error))
            instance._maybe_commit()
        if failures:
            self._notify_failures(instance, failures)
            instance._maybe_commit()
        self._wake_check(instance)

    @api.model
    def _wake_check(self, instance):
        """Deliveries waiting for the marketplace's answer (Bol.com's process statuses) are read
        by the scheduled Check Export Results a minute from now, rather than at its next interval."""
        cron = instance._job("check_results").cron_id.sudo()
        if cron.active and self.env["stock.picking"].search_count(
            [("marketplace_instance_id", "=", instance.id), ("marketplace_export_state", "=", "sent")],
            limit=1,
        ):
            cron._trigger(at=fields.Datetime.now() + timedelta(minutes=1))

    @api.model
    def _follow_order_status(self, instance, run, picking):
        """The order's marketplace status after a confirmed shipment, as the marketplace shows it
        (hook `order_status`: read back, or known from the confirmation): Shipped, Partially
        Shipped... A status that cannot be read is left for the next import to bring."""
        hook = instance._hook("order_status")
        if not hook or picking.picking_type_code != "outgoing" or not picking.sale_id:
            return
        try:
            status = hook(run.client, picking)
        except (MarketplaceError, UserError) as err:
            message, detail = instance._explain(err)
            run.log._add(
                "warning",
                _(
                    "%(order)s: its status on %(marketplace)s could not be read after the shipment "
                    "(%(error)s); the next import brings it.",
                    order=picking.sale_id.name,
                    marketplace=instance._marketplace_label(),
                    error=message,
                ),
                record=picking.sale_id,
                detail=detail,
            )
            return
        if status and status != picking.sale_id.marketplace_status:
            picking.sale_id.marketplace_status = status

    @api.model
    def _to_export(self, instance):
        return self.env["stock.picking"].search(
            [
                ("marketplace_instance_id", "=", instance.id),
                ("state", "=", "done"),
                ("picking_type_code", "in", ("outgoing", "incoming")),
            ]
            + to_send_domain("marketplace_export_state"),
            order="id",
        )

    @api.model
    def _take(self, picking_id, states=("pending", "uncertain", "sending")):
        """Lock one delivery FOR UPDATE SKIP LOCKED: a cron and a button running together never
        both send it. Empty when another worker holds it or has just changed it."""
        ids = claim(
            self.env,
            "stock_picking",
            "id = %s AND marketplace_export_state = ANY(%s)",
            [picking_id, list(states)],
        )
        picking = self.env["stock.picking"].browse(ids or [])
        picking.invalidate_recordset(["marketplace_export_state"])
        return picking

    def _export_one(self, instance, run, picking):
        """Send one delivery; return the reason when the marketplace refused it."""
        log = run.log
        if picking.marketplace_export_state in ("uncertain", "sending"):
            try:
                if self._already_sent(instance, run, picking):
                    return None
            except (MarketplaceError, UserError) as err:
                text, detail = instance._explain(err)
                log._add(
                    "error",
                    _(
                        "%(picking)s: its state on the marketplace could not be read (%(error)s); "
                        "it is not sent until it can.",
                        picking=picking.name,
                        error=text,
                    ),
                    record=picking,
                    detail=detail,
                )
                return None
        picking.marketplace_export_state = "sending"
        instance._maybe_commit()
        try:
            reference = instance._hook("send_%s" % self._kind(picking), required=True)(run.client, picking)
        except (MarketplaceError, UserError) as err:
            return self._not_sent(instance, run, picking, err)
        if reference:
            self._mark_sent(instance, run, picking, reference)
            return None
        picking.write({"marketplace_export_state": "exported", "marketplace_export_error": False})
        log._add(
            "success",
            _(
                "%(picking)s confirmed to %(marketplace)s.",
                picking=picking.name,
                marketplace=instance._marketplace_label(),
            ),
            record=picking,
        )
        self._follow_order_status(instance, run, picking)
        return None

    def _not_sent(self, instance, run, picking, err):
        """A delivery the marketplace did not confirm, said in plain words (the raw error on the
        log line): unconfirmed when the answer was lost (the next run asks before sending it
        again), waiting when it surely never arrived (throttled, no connection: nothing to fix),
        else refused. Returns the reason of a refusal."""
        text, detail = instance._explain(err)
        if isinstance(err, Ambiguous):
            picking.write({"marketplace_export_state": "uncertain", "marketplace_export_error": text})
            run.log._add(
                "error",
                _(
                    "%(picking)s: %(error)s The next run checks the marketplace before sending it again.",
                    picking=picking.name,
                    error=text,
                ),
                record=picking,
                detail=detail,
            )
            return None
        if isinstance(err, Throttled) or getattr(err, "reason", None) == MarketplaceError.UNREACHABLE:
            picking.write({"marketplace_export_state": "pending", "marketplace_export_error": text})
            run.log._add(
                "error",
                _(
                    "%(picking)s: not sent: %(error)s It is sent again at the next run.",
                    picking=picking.name,
                    error=text,
                ),
                record=picking,
                detail=detail,
            )
            return None
        picking.write({"marketplace_export_state": "failed", "marketplace_export_error": text})
        picking.sale_id._marketplace_flag_sync_failure()
        run.log._add(
            "error",
            _("%(picking)s: %(error)s", picking=picking.name, error=text),
            record=picking,
            detail=detail,
        )
        return text

    @staticmethod
    def _kind(picking):
        return "return" if picking.picking_type_code == "incoming" else "shipment"

    def _mark_sent(self, instance, run, picking, reference):
        """The marketplace took the confirmation and answers later: `reference` (its process
        id) is followed by Check Export Results."""
        picking.write(
            {
                "marketplace_export_state": "sent",
                "marketplace_export_ref": str(reference),
                "marketplace_export_error": False,
            }
        )
        run.log._add(
            "info",
            _(
                "%(picking)s sent to %(marketplace)s (%(ref)s); its outcome is read by Check Export Results.",
                picking=picking.name,
                marketplace=instance._marketplace_label(),
                ref=reference,
            ),
            record=picking,
        )

    def _already_sent(self, instance, run, picking):
        """Read the marketplace's state of a delivery whose confirmation may have arrived: True,
        or the reference of the asynchronous write the marketplace received."""
        check = instance._hook("%s_sent" % self._kind(picking))
        if not check:
            return False
        sent = check(run.client, picking)
        if sent and not isinstance(sent, bool):
            self._mark_sent(instance, run, picking, sent)
            return True
        if sent:
            picking.write({"marketplace_export_state": "exported", "marketplace_export_error": False})
            run.log._add(
                "success", _("%s had reached the marketplace: not sent again.", picking.name), record=picking
            )
            self._follow_order_status(instance, run, picking)
        return sent

    # asynchronous answers ----------------------------------------------------------------------
    @api.model
    def _run_follow(self, instance, run):
        """Check Export Results: the outcome of every delivery (or return) sent and waiting for
        its marketplace's answer, read through the `read_shipment` / `read_return` hook
        (an ExportStatus); a refusal is treated as a refused synchronous confirmation."""
        failures = []
        sent = self.env["stock.picking"].search(
            [("marketplace_instance_id", "=", instance.id), ("marketplace_export_state", "=", "sent")],
            order="id",
        )
        for picking_id in sent.ids:
            picking = self._take(picking_id, ("sent",))
            if not picking:
                continue
            try:
                status = instance._hook("read_%s" % self._kind(picking), required=True)(run.client, picking)
            except (MarketplaceError, UserError) as err:
                text, detail = instance._explain(err)
                run.log._add(
                    "error",
                    _(
                        "%(picking)s: its outcome could not be read (%(error)s); read again at the "
                        "next check.",
                        picking=picking.name,
                        error=text,
                    ),
                    record=picking,
                    detail=detail,
                )
                continue
            if not status.finished:
                continue
            if status.error:
                text = instance._scrub(status.error)
                picking.write({"marketplace_export_state": "failed", "marketplace_export_error": text})
                picking.sale_id._marketplace_flag_sync_failure()
                run.log._add(
                    "error", _("%(picking)s: %(error)s", picking=picking.name, error=text), record=picking
                )
                failures.append((picking, text))
            else:
                picking.write({"marketplace_export_state": "exported", "marketplace_export_error": False})
                run.log._add(
                    "success",
                    _(
                        "%(picking)s confirmed to %(marketplace)s.",
                        picking=picking.name,
                        marketplace=instance._marketplace_label(),
                    ),
                    record=picking,
                )
                self._follow_order_status(instance, run, picking)
            instance._maybe_commit()
        if failures:
            self._notify_failures(instance, failures)
            instance._maybe_commit()

    @api.model
    def _notify_failures(self, instance, failures):
        """One mail to the responsible user listing every delivery the marketplace refused."""
        user = instance.activity_user_id or instance.user_id
        template = self.env.ref("marketplace_base.mail_template_shipment_failures", raise_if_not_found=False)
        if not (user.partner_id and template):
            return
        rows = [
            {
                "picking": p.name,
                "picking_id": p.id,
                "order": p.sale_id.name or "",
                "order_id": p.sale_id.id,
                "error": error,
            }
            for p, error in failures
        ]
        # sudo: this run's refusals to the instance's responsible (a job's user may not send mail)
        template.sudo().with_context(failures=rows, marketplace=instance._marketplace_label()).send_mail(
            instance.id, email_values={"recipient_ids": [(6, 0, user.partner_id.ids)]}
        )
