"""What a worker remembers while it processes one batch of queue lines (see
marketplace.queue.line._process).

An import asks the same questions for every order of a batch: the pricelist of a currency, the
tax-included twin of a product tax, the products of unmatched items... and checks, before
creating a customer or an order, that no other worker committed it meanwhile. The batch memo
answers each question once per batch, and keeps one cursor for those checks instead of opening
one per check.

What the memo holds is only valid in the worker's transaction as it stands: the queue clears it
whenever it undoes work (a failed line, a group processed again line by line), so that it never
returns a record that was rolled back. Outside a batch (an order recovered by hand, the tests
calling the services directly) there is no memo and every question is asked afresh.
"""

import contextlib

MEMO_KEY = "marketplace.batch.memo"


class BatchMemo:
    def __init__(self, env):
        self.registry = env.registry
        self.values = {}
        self.fresh_cr = None

    def ids(self, key, compute):
        """The ids `compute()` returns (a recordset), computed once while the memo holds."""
        if key not in self.values:
            self.values[key] = compute().ids
        return self.values[key]

    def clear(self):
        self.values.clear()

    @contextlib.contextmanager
    def fresh_cursor(self):
        """A cursor on a snapshot taken now (see marketplace.key.lock._check_snapshot): one
        connection for the batch, its transaction ended after each use so that the next use
        sees what was committed meanwhile. In the registry's test mode every cursor shares the
        test's transaction: a cursor is opened for each use, as without a memo."""
        if self.registry.in_test_mode():
            with self.registry.cursor() as cr:
                yield cr
            return
        if self.fresh_cr is None:
            self.fresh_cr = self.registry.cursor()
        try:
            yield self.fresh_cr
        finally:
            self.fresh_cr.rollback()

    def close(self):
        self.values.clear()
        if self.fresh_cr is not None:
            self.fresh_cr.close()
            self.fresh_cr = None


@contextlib.contextmanager
def batch_memo_scope(env):
    """Install a memo for the batch processed inside the block (nested blocks share it)."""
    cache = env.cr.cache
    if cache.get(MEMO_KEY) is not None:
        yield cache[MEMO_KEY]
        return
    memo = cache[MEMO_KEY] = BatchMemo(env)
    try:
        yield memo
    finally:
        memo.close()
        # the cursor's cache is gone when the cursor was closed inside the block
        if getattr(env.cr, "cache", None) is not None:
            env.cr.cache.pop(MEMO_KEY, None)


def batch_memo(env):
    """The memo of the batch being processed, or None."""
    return getattr(env.cr, "cache", {}).get(MEMO_KEY)


def clear_batch_memo(env):
    """Forget what the memo holds: work was undone."""
    memo = batch_memo(env)
    if memo is not None:
        memo.clear()


def memoized(env, key, model, compute):
    """compute() (a recordset of `model`), asked once per queue batch, else every time."""
    memo = batch_memo(env)
    if memo is None:
        return compute()
    return model.browse(memo.ids(key, compute))
