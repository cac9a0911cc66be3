"""Process statuses: every write answers 202 with one, decided (SUCCESS or FAILURE) on a later
poll or after `process_seconds`; the change is applied to the state only then."""

import time

from .data import PAGE_SIZE, _logger, iso


class ProcessMixin:
    """The process statuses of BolAPI."""

    def _new_process(self, req, event_type, entity_id, description, action):
        self._ps_seq += 1
        pid = str(1000000000 + self._salt % 100000 * 1000 + self._ps_seq)
        now = time.time()
        ps = {"processStatusId": pid}
        if entity_id is not None:
            ps["entityId"] = str(entity_id)
        ps.update(
            {
                "eventType": event_type,
                "description": description,
                "status": "PENDING",
                "createTimestamp": iso(now),
                "links": [
                    {
                        "rel": "self",
                        "href": "%s/shared/process-status/%s" % (self._base_url(req), pid),
                        "method": "GET",
                    }
                ],
                "_t": now,
                "_polls": 0,
                "_action": action,
            }
        )
        self.processes[pid] = ps
        self.process_list.append(ps)
        self.pending.append(ps)
        return ps

    @staticmethod
    def _ps_public(ps):
        return {k: v for k, v in ps.items() if not k.startswith("_")}

    def _decide(self, ps):
        """Run the deferred change of a process status. The action answers None (SUCCESS),
        ("entity", id) (SUCCESS; the id of what was created becomes the entityId) or an error text
        (FAILURE with that errorMessage)."""
        try:
            result = ps["_action"]()
        except Exception as err:  # a bug must not leave the status PENDING forever
            _logger.exception("bol process %s failed", ps["processStatusId"])
            result = "Internal error while processing the request: %s" % err
        if isinstance(result, str):
            ps["status"] = "FAILURE"
            ps["errorMessage"] = result
        else:
            ps["status"] = "SUCCESS"
            if isinstance(result, tuple):
                ps["entityId"] = result[1]
        ps.pop("_action", None)
        if ps in self.pending:
            self.pending.remove(ps)

    def _settle(self):
        """Decide every pending process older than `process_seconds` (in creation order)."""
        if not self.pending:
            return
        limit = time.time() - self.process_seconds
        for ps in [p for p in self.pending if p["_t"] <= limit]:
            self._decide(ps)

    def _poll(self, ps):
        if ps["status"] == "PENDING":
            ps["_polls"] += 1
            self._settle()
            # decide earlier pending processes first so that their order is kept
            if ps["status"] == "PENDING" and ps["_polls"] >= self.process_polls:
                for earlier in [
                    p for p in self.pending if p["_t"] < ps["_t"] and p["_polls"] >= self.process_polls
                ]:
                    self._decide(earlier)
                self._decide(ps)
        return self._ps_public(ps)

    def _get_ps(self, req, pid):
        ps = self.processes.get(pid)
        if ps is None:
            return self.problem(404, "Not Found", "Process status with id %s does not exist." % pid)
        return self._ok(200, self._poll(ps))

    def _get_ps_by_entity(self, req):
        v = []
        entity = req.arg("entity-id")
        event = req.arg("event-type")
        page = self._q_int(req, "page", 1, v, minimum=1)
        if not entity:
            v.append({"name": "entity-id", "reason": "must not be null"})
        if not event:
            v.append({"name": "event-type", "reason": "must not be null"})
        if v:
            return self.bad_request(v)
        matched = [
            p for p in reversed(self.process_list) if p.get("entityId") == entity and p["eventType"] == event
        ]
        chunk = matched[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        if not chunk:
            return self._empty_list()
        return self._ok(200, {"processStatuses": [self._poll(p) for p in chunk]})

    def _get_ps_bulk(self, req):
        body = req.json()
        queries = body.get("processStatusQueries") if isinstance(body, dict) else None
        if (
            not isinstance(queries, list)
            or not 1 <= len(queries) <= 1000
            or not all(isinstance(q, dict) and isinstance(q.get("processStatusId"), str) for q in queries)
        ):
            return self.bad_request(
                [{"name": "processStatusQueries", "reason": "size must be between 1 and 1000"}]
            )
        out = [
            self._poll(self.processes[q["processStatusId"]])
            for q in queries
            if q["processStatusId"] in self.processes
        ]
        if not out:
            return self._empty_list()
        return self._ok(200, {"processStatuses": out})
