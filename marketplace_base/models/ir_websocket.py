from odoo import models


class IrWebsocket(models.AbstractModel):
    """Marketplace users hear of the runs of their companies' instances (see
    marketplace.instance._notify_job_state): their dashboards and forms update by themselves."""

    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        if self.env.uid and not self.env.user._is_public():
            channels = list(channels) + self.env["marketplace.instance"]._job_bus_channels()
        return super()._build_bus_channel_list(channels)
