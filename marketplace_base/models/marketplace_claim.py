"""Records claimed by one worker among many, and writes a killed worker left half done.

Any number of workers run the same jobs at once (crons, buttons, an invoice paid while the cron
runs): a queue line, a listing to export, a delivery or a payment to report must be worked on by
one of them only. Each is claimed with FOR UPDATE SKIP LOCKED: a worker takes the rows no other
worker holds and holds them until its transaction ends, and never waits for another.

A write to a marketplace is recorded as "sending" (committed) before the call, so that a lost
answer never makes it be sent twice on a guess. A record still "sending" long after was left by
a worker killed before the answer: the next run takes it back (`to_send_domain`).
"""

import psycopg2.extensions

from odoo import fields

# A write still "sending" after this long was cut off (worker killed) before its answer.
STALE_SENDING_MINUTES = 15


def claim(env, table, where, params, limit=None):
    """Ids of the rows of `table` that match `where` (SQL of the caller's own, with `params`)
    and that no other worker holds, locked until this transaction ends, by id; at most `limit`.

    None when this transaction's snapshot is too old to lock them: another worker committed a
    change to one of them after this transaction began (under REPEATABLE READ, PostgreSQL then
    refuses the lock). They are not the caller's to take; it starts a new transaction or stops.
    """
    env.flush_all()
    query = "SELECT id FROM %s WHERE %s ORDER BY id%s FOR UPDATE SKIP LOCKED" % (
        table,
        where,
        " LIMIT %s" if limit else "",
    )
    try:
        with env.cr.savepoint(flush=False):
            env.cr.execute(query, list(params) + ([limit] if limit else []), log_exceptions=False)
            return [row[0] for row in env.cr.fetchall()]
    except psycopg2.extensions.TransactionRollbackError:
        return None


def to_send_domain(state_field, states=("pending", "uncertain")):
    """The domain of the records whose `state_field` says they are to send (`states`), and of
    those left "sending" by a killed worker (see STALE_SENDING_MINUTES)."""
    stale = fields.Datetime.subtract(fields.Datetime.now(), minutes=STALE_SENDING_MINUTES)
    return [
        "|",
        (state_field, "in", list(states)),
        "&",
        (state_field, "=", "sending"),
        ("write_date", "<", stale),
    ]
