from odoo import _, api, models

from odoo.addons.marketplace_base.adapter.records import ExportStatus

from ..adapter.client import PROCESS_DONE


class BolProcessStatus(models.AbstractModel):
    """Bol.com answers every write (a shipment, a return received, an offer's stock or price)
    with a process status, decided later: how a write is followed until Bol has decided, and
    how a write whose answer was lost is found again before anything is sent twice."""

    _name = "bol.process.status"
    _description = "Bol.com Process Status"

    @api.model
    def _find(self, instance, client, entity_id, event_type):
        """The process of a write whose answer was lost: the newest one Bol keeps for the entity
        and event that no delivery, return or export of this account holds yet."""
        if not entity_id:
            return False
        for process in client.processes_for(entity_id, event_type):
            reference = str(process.get("processStatusId") or "")
            if reference and not self._known(instance, reference):
                return reference
        return False

    @api.model
    def _known(self, instance, reference):
        """Whether a delivery, return or export of this account already holds the process."""
        pickings = self.env["stock.picking"].search(
            [("marketplace_instance_id", "=", instance.id), ("marketplace_export_ref", "like", reference)]
        )
        if any(reference in p.marketplace_export_ref.split(",") for p in pickings):
            return True
        return bool(
            self.env["marketplace.export"].search_count(
                [("instance_id", "=", instance.id), ("name", "=", reference)], limit=1
            )
        )

    @api.model
    def _result(self, client, references):
        """ExportStatus of one or more process statuses (comma-separated): finished once Bol has
        decided all; an error when one failed, with Bol's message."""
        statuses = [client.process_status(ref) for ref in (references or "").split(",") if ref]
        if not statuses:
            return ExportStatus(status="UNKNOWN", finished=True, error=_("No Bol.com process to follow."))
        pending = [s for s in statuses if s.get("status") not in PROCESS_DONE]
        if pending:
            return ExportStatus(status=pending[0].get("status") or "PENDING")
        failed = [s for s in statuses if s.get("status") != "SUCCESS"]
        if failed:
            return ExportStatus(
                status=failed[0]["status"],
                finished=True,
                error="; ".join(
                    s.get("errorMessage") or _("Bol.com answered %s.", s.get("status")) for s in failed
                ),
            )
        return ExportStatus(status="SUCCESS", finished=True)

    @api.model
    def _prefetch(self, instance, client):
        """Check Export Results: the process statuses of every delivery, return and offer write
        waiting for Bol, read in bulk calls once per run rather than one call each."""
        refs = (
            self.env["marketplace.export"]
            .search([("instance_id", "=", instance.id), ("state", "=", "pending"), ("name", "!=", False)])
            .mapped("name")
        )
        for joined in (
            self.env["stock.picking"]
            .search(
                [("marketplace_instance_id", "=", instance.id), ("marketplace_export_state", "=", "sent")]
            )
            .mapped("marketplace_export_ref")
        ):
            refs += (joined or "").split(",")
        client.prefetch_process_statuses(refs)
