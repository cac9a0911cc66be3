from odoo import api, fields, models

# A waiting line that was started this many times more than it finished stopped its worker each
# time (memory or time limit, SIGKILL): it is set aside as failed instead of being tried again.
MAX_WORKER_STOPS = 3


class MarketplaceQueueLineStart(models.Model):
    """How many times workers started and finished each queue line.

    These counters are written through a cursor of their own and committed at once, outside the
    worker's transaction: a worker killed in the middle of a line (memory or time limit, SIGKILL)
    rolls back everything it did, its own count of attempts included, but not the start counted
    here. A line started more often than it finished is one that stopped its worker.

    Why a table of their own, keyed by the line's id without a foreign key: the worker's
    transaction holds a FOR UPDATE lock on the line's row, so a second cursor updating that row
    would wait for the worker, which waits for it. A foreign key would not do either: the line
    may not be committed yet (lines queued and processed in one transaction, as Recover Amazon
    Order and the tests do) and the second cursor would not see it; and a referencing
    insert takes a KEY SHARE lock that FOR UPDATE blocks.

    A line that finishes at its first start leaves no row; rows remain for the lines a worker is
    processing right now and for those that stopped a worker. The line's unlink removes its row,
    the autovacuum below the rows no longer of use (lines finished, cancelled, deleted or never
    committed).
    """

    _name = "marketplace.queue.line.start"
    _description = "Marketplace Queue Line Worker Starts"
    _log_access = False

    line_id = fields.Integer(string="Queue Line ID", required=True, readonly=True)
    started = fields.Integer(readonly=True, help="Times a worker started processing the line.")
    finished = fields.Integer(readonly=True, help="Times a worker finished processing the line.")
    last_start = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("line_unique", "UNIQUE(line_id)", "One row of counters per queue line."),
    ]

    @api.autovacuum
    def _gc_counters(self):
        """Forget the counters of lines that will not be processed again (done, cancelled,
        deleted, or never committed), a day after their last start."""
        self.env.cr.execute("""
            DELETE FROM marketplace_queue_line_start s
             WHERE s.last_start < (now() at time zone 'UTC') - interval '1 day'
               AND NOT EXISTS (SELECT 1 FROM marketplace_queue_line l
                                WHERE l.id = s.line_id AND l.state IN ('draft', 'failed'))
        """)


class WorkerTrace:
    """The counters of marketplace.queue.line.start, read and written through a second cursor
    committed at once (see there why). One per batch of lines, closed at the end of the batch.

    In the registry's test mode (HTTP tests) every cursor shares one transaction: there is no
    second connection to write through, so nothing is counted.
    """

    def __init__(self, env):
        registry = env.registry
        self.cr = None if registry.in_test_mode() else registry.cursor()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.cr is not None:
            self.cr.close()
            self.cr = None

    def _commit(self):
        # The counters only order and set aside lines: losing the last ones in a crash of the
        # database server itself costs nothing, so they need not wait for the disk.
        self.cr.commit()

    def _execute(self, query, params):
        self.cr.execute("SET LOCAL synchronous_commit TO OFF")
        self.cr.execute(query, params)

    def stoppers(self, line_ids=None):
        """Ids of the lines started more often than finished: those that stopped a worker, and
        those a live worker is processing right now (locked: the caller skips them anyway).

        Not joined to the lines: this cursor does not see lines the caller's transaction has not
        committed, and the table only holds rows of lines in progress or with a history."""
        if self.cr is None:
            return []
        query = "SELECT line_id FROM marketplace_queue_line_start WHERE started > finished"
        params = []
        if line_ids is not None:
            query += " AND line_id = ANY(%s)"
            params.append(list(line_ids))
        self.cr.execute(query, params)
        ids = [row[0] for row in self.cr.fetchall()]
        self.cr.rollback()
        return ids

    def start(self, line_id):
        """Count a start of the line; return how many times it stopped its worker before, or
        None (nothing counted) when that reached MAX_WORKER_STOPS: the line must be set aside."""
        if self.cr is None:
            return 0
        # One statement reads and increments: the row is only ever written by the worker that
        # holds the line's lock, so no other start can slip in between.
        self._execute(
            """
            INSERT INTO marketplace_queue_line_start AS s (line_id, started, finished, last_start)
            VALUES (%s, 1, 0, now() at time zone 'UTC')
            ON CONFLICT (line_id) DO UPDATE
               SET started = s.started + 1, last_start = EXCLUDED.last_start
             WHERE s.started - s.finished < %s
            RETURNING s.started - s.finished - 1
        """,
            (line_id, MAX_WORKER_STOPS),
        )
        row = self.cr.fetchone()
        self._commit()
        return row[0] if row else None

    def finish(self, line_id):
        """Count the end of a line's processing, whatever its outcome."""
        if self.cr is None:
            return
        self._execute(
            """
            UPDATE marketplace_queue_line_start SET finished = finished + 1 WHERE line_id = %s;
            DELETE FROM marketplace_queue_line_start WHERE line_id = %s AND started = 1 AND finished = 1;
        """,
            (line_id, line_id),
        )  # finished at its first start: nothing worth remembering
        self._commit()

    def stops(self, line_id):
        """How many times the line stopped its worker (started without finishing)."""
        if self.cr is None:
            return 0
        self.cr.execute(
            "SELECT started - finished FROM marketplace_queue_line_start WHERE line_id = %s", (line_id,)
        )
        row = self.cr.fetchone()
        self.cr.rollback()
        return row[0] if row else 0

    def forget(self, line_ids):
        """Start counting afresh (a user retries the lines: they may have been fixed)."""
        if self.cr is None or not line_ids:
            return
        self._execute(
            "UPDATE marketplace_queue_line_start SET finished = started WHERE line_id = ANY(%s)",
            (list(line_ids),),
        )
        self._commit()
