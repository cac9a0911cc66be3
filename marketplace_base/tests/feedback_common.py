"""What a person is told of the jobs: the messages the bus carries (web client notifications,
dashboards and forms reloading), read back as the web client would receive them."""

import json

from odoo.addons.bus.models.bus import channel_with_db, json_dump


class JobFeedbackMixin:
    def bus_payloads(self, target=None, instance=None):
        """The payloads of the 'marketplace_job' bus messages of the instance (the test's by
        default) written so far, to `target` (a partner, or a (record, name) channel) when given.
        The bus writes them when the transaction commits: its pre-commit hooks are run here."""
        instance = instance or self.instance
        self.env.cr.precommit.run()
        wanted = json_dump(channel_with_db(self.env.cr.dbname, target)) if target is not None else None
        payloads = []
        for message in (
            self.env["bus.bus"].sudo().search([("message", "like", "marketplace_job")], order="id")
        ):
            body = json.loads(message.message)
            if (
                body["type"] == "marketplace_job"
                and (wanted is None or message.channel == wanted)
                and body["payload"].get("instance_id") == instance.id
            ):
                payloads.append(body["payload"])
        return payloads

    def press(self, job, instance=None):
        """A job button pressed by the current user, then the background worker that runs it:
        the notification the person gets (title, message, type, links)."""
        instance = instance or self.instance
        instance.with_context(marketplace_job=job).action_start_job()
        self.env["marketplace.job"]._run_requested()
        notes = [
            p["notification"] for p in self.bus_payloads(self.env.user.partner_id) if p.get("notification")
        ]
        self.assertTrue(notes, "the person who pressed the button is told the outcome")
        return notes[-1]
