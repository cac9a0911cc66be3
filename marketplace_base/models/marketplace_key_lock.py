import hashlib

import psycopg2.errors

from odoo import SUPERUSER_ID, api, models

from .marketplace_batch import batch_memo


class StaleSnapshot(psycopg2.errors.SerializationFailure):
    """Another worker committed the record this transaction was about to create, after this
    transaction's snapshot was taken. Raised as the serialization failure it is (SQLSTATE
    40001), so that the queue keeps the line for its next run and Odoo's RPC layer retries the
    request, both in a new transaction that sees the record."""

    pgcode = "40001"


class MarketplaceKeyLock(models.AbstractModel):
    """Search-then-create without duplicates across parallel workers.

    Partners, taxes and pricelists have no natural unique key in the database (the same email may
    belong to several contacts), so "find it, else create it" is made safe with a lock per key:
    `pg_advisory_xact_lock` on a hash of (model, company, key), held until the transaction ends,
    so a second worker waits until the first one's record is committed.

    Waiting is not enough under REPEATABLE READ (Odoo's isolation level): the waiting worker's
    snapshot predates the other's commit and its search still finds nothing. So before creating,
    a search on a new cursor (a fresh snapshot) looks for a record committed meanwhile; when there
    is one, StaleSnapshot sends the work to a new transaction instead of creating a twin.
    """

    _name = "marketplace.key.lock"
    _description = "Marketplace Creation Lock"

    @api.model
    def _find_or_create(self, records, company, key, domain, values, order=None):
        """The first record of `records`' model matching `domain`, else one created from
        `values` (a dict, or a callable returning it), never twice for the same key.

        The lock is taken only to create: records found (the usual case) cost no lock, so
        workers do not queue behind each other's batches on common taxes or customers."""
        record = records.search(domain, limit=1, order=order)
        if record:
            return record
        self._lock(records._name, company, key)
        self._check_snapshot((records, domain))
        return records.create(values() if callable(values) else values)

    @api.model
    def _lock(self, model, company, key):
        """Take the transaction-level lock of (model, company, key); wait while another
        transaction holds it."""
        digest = hashlib.blake2b(repr((model, company.id, key)).encode(), digest_size=8).digest()
        self.env.cr.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)])

    @api.model
    def _check_snapshot(self, *searches):
        """Raise StaleSnapshot when, for one of the (records, domain) searches, a matching record
        was committed that this transaction cannot see (one fresh cursor for all; while a queue
        batch is processed, the batch's, on a snapshot taken now: see marketplace_batch)."""
        memo = batch_memo(self.env)
        with memo.fresh_cursor() if memo else self.env.registry.cursor() as cr:
            for records, domain in searches:
                fresh = api.Environment(cr, SUPERUSER_ID, records.env.context)[records._name]
                found = fresh.search(domain, limit=1)
                if found:
                    raise StaleSnapshot(
                        "%s %s was created by another worker meanwhile; retrying in a new transaction."
                        % (records._description, found.id)
                    )
