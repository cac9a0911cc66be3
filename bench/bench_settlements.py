"""Payouts booked and reconciled: a month of a busy account against the local simulator (real HTTP).

    python3 bench/bench_settlements.py [--db marketplace_test] [--marketplace amazon|bol]
                                       [--orders 10000]

1. Set-up, not measured: the simulator sells N orders over 30 days; Import Orders and Process
   Queues bring them into Odoo, where the instance's workflow confirms and invoices them; the
   marketplace then closes the month's payout periods (Amazon's financial event groups, Bol.com's
   invoice).
2. Reading, at the marketplace's documented rates (the simulator's rate limits on): the
   connector's hooks read the closed periods and their lines as Import Settlements does: API
   calls, throttled calls (goal 0), seconds.
3. Booking: the engine books what was read (one bank statement per period, its lines matched with
   the invoices, credit notes and fee accounts): seconds, lines per second, lines matched.
4. The reference: the ORM alone creating the same statements and statement lines (each on its
   counterpart account) and reconciling the order lines with the invoices' receivables, in the
   same run and database; then the ratio booking / ORM (goal 1.3 or less).
Everything in Odoo is rolled back at the end.
"""

import os
import sys
import time
from datetime import datetime, timedelta

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from odoo_env import REPO, odoo_env, parse_args  # noqa: E402

sys.path.insert(0, REPO)
from marketplace_simulator.core import serve_in_thread  # noqa: E402


def sim(base_url, path, payload=None):
    response = requests.post(base_url + path, json=payload or {}, timeout=600)
    response.raise_for_status()
    return response.json() if response.content else None


def amazon_account(env, server, base_url, workflow):
    instance = env["marketplace.instance"].create(
        {
            "name": "Bench settlements Amazon",
            "marketplace": "amazon",
            "amazon_seller_id": "SIMSELLER1",
            "amazon_orders_api": "2026-01-01",
            "amazon_refresh_token": "sim-refresh-token",
            "amazon_lwa_client_id": "sim-lwa-client",
            "amazon_lwa_client_secret": "sim-lwa-secret",
            "api_base_url": base_url + "/amazon",
            "queue_batch_limit": 200,
            "workflow_id": workflow.id,
            "marketplace_workflow_id": workflow.id,
        }
    )
    instance.action_confirm()
    instance._job("import_orders").cursor = datetime.now() - timedelta(days=40)
    return instance


def bol_account(env, server, base_url, workflow):
    """A Bol.com account (FBR and FBB) whose orders are invoiced; Odoo products for the offers."""
    from bench_bol import catalogue

    catalogue(env, server)
    statuses = env.ref("marketplace_bol.order_status_open") | env.ref("marketplace_bol.order_status_shipped")
    instance = env["marketplace.instance"].create(
        {
            "name": "Bench settlements Bol.com",
            "marketplace": "bol",
            "bol_client_id": "sim-bol-client",
            "bol_client_secret": "sim-bol-secret",
            "bol_fulfilment": "ALL",
            "api_base_url": base_url + "/bol",
            "queue_batch_limit": 200,
            "order_status_ids": [(6, 0, statuses.ids)],
            "workflow_id": workflow.id,
            "marketplace_workflow_id": workflow.id,
        }
    )
    instance.action_confirm()
    instance._job("import_orders").cursor = datetime.now() - timedelta(days=40)
    return instance


def set_up(env, server, base_url, marketplace, orders):
    """The month's orders sold, imported, invoiced; the periods closed. Returns the instance."""
    sizes = {"orders": orders, "order_days": 30}
    if marketplace == "amazon":
        sizes["settlement_days"] = 31
    if marketplace == "bol":
        sizes["returns"] = max(orders // 100, 1)
    sim(base_url, "/_sim/reset", {"seed": 5, "sizes": {marketplace: sizes}, "rate_limits": False})
    env["product.template"].search([]).write({"invoice_policy": "order"})
    workflow = env["marketplace.workflow"].create(
        {
            "name": "Bench settlements",
            "confirm_order": True,
            "create_invoice": True,
            "validate_invoice": True,
        }
    )
    instance = (amazon_account if marketplace == "amazon" else bol_account)(env, server, base_url, workflow)
    started = time.perf_counter()
    instance.with_context(tracking_disable=True).action_import_orders()
    instance.with_context(tracking_disable=True).action_process_queues()
    env.flush_all()
    sales = env["sale.order"].search([("marketplace_instance_id", "=", instance.id)])
    invoiced = sales.filtered(lambda s: s.invoice_ids)
    print(
        "set-up: %d orders imported, %d invoiced, in %.0f s (not measured below)"
        % (len(sales), len(invoiced), time.perf_counter() - started)
    )
    if marketplace == "amazon":
        sim(base_url, "/_sim/amazon/finances_close", {"all": True})
    else:
        sim(base_url, "/_sim/bol/issue_invoice", {})
    return instance


def read(instance, base_url):
    """The closed periods and their lines read through the connector's hooks at the documented
    rates. Returns (headers with their lines, API calls, throttled, seconds)."""
    from odoo.addons.marketplace_base.schemas.settlement import Settlement, SettlementLine

    sim(base_url, "/_sim/rate_limits", {"enabled": True})
    client = instance._hook("client", required=True)()
    started = time.perf_counter()
    since = datetime.now() - timedelta(days=62)
    headers = []
    for raw in instance._hook("read_settlements", required=True)(client, since):
        header = Settlement.model_validate(raw)
        if not header.closed:
            continue
        pages = instance._hook("settlement_lines", required=True)(client, raw, None)
        header.lines = [SettlementLine.model_validate(line) for page in pages for line in page]
        headers.append(header)
    seconds = time.perf_counter() - started
    sim(base_url, "/_sim/rate_limits", {"enabled": False})
    return headers, getattr(client, "calls", 0), getattr(client, "throttled", 0), seconds


def book(env, instance, headers):
    """The engine books the periods. Returns seconds."""
    log = env["marketplace.log"].create({"instance_id": instance.id, "job": "import_settlements"})
    env.flush_all()
    started = time.perf_counter()
    env["marketplace.settlement.importer"]._import(instance, headers, lambda header, after: [], log)
    env.flush_all()
    return time.perf_counter() - started


def orm_only(env, instance, headers):
    """The same statements and statement lines made with plain ORM calls, each line on its
    counterpart account (an order on the invoice's receivable, then reconciled with it; a fee on
    its fee type's account; anything else on the journal's suspense account). Returns seconds."""
    journal = instance.settlement_journal_id
    FeeType = env["marketplace.fee.type"]
    env.flush_all()
    started = time.perf_counter()
    for header in headers:
        refs = {line.order_ref for line in header.lines if line.kind == "order"}
        sales = env["sale.order"].search(
            [("marketplace_instance_id", "=", instance.id), ("marketplace_order_ref", "in", list(refs))]
        )
        receivable = {}
        for sale in sales:
            items = sale.invoice_ids.line_ids.filtered(
                lambda l: l.account_id.account_type == "asset_receivable" and not l.reconciled
            )
            if items:
                receivable[sale.marketplace_order_ref] = items
        accounts = {
            fee.code: fee.account_id
            for fee in FeeType.search(
                [("company_id", "=", instance.company_id.id), ("marketplace", "=", instance.marketplace)]
            )
        }
        statement = env["account.bank.statement"].create(
            {"name": "ORM %s" % header.external_id, "journal_id": journal.id}
        )
        values, pairs = [], []
        for line in header.lines:
            vals = {
                "statement_id": statement.id,
                "journal_id": journal.id,
                "date": (header.end or datetime.now()).date(),
                "payment_ref": line.label or line.external_id,
                "amount": line.amount,
            }
            items = receivable.get(line.order_ref) if line.kind == "order" else None
            if items:
                vals["counterpart_account_id"] = items[0].account_id.id
                vals["partner_id"] = items[0].partner_id.id
            elif line.kind in ("fee", "reimbursement", "adjustment") and accounts.get(line.fee_type):
                vals["counterpart_account_id"] = accounts[line.fee_type].id
            values.append(vals)
            pairs.append(items)
        st_lines = env["account.bank.statement.line"].create(values)
        for st_line, items in zip(st_lines, pairs):
            if items:
                counterpart = st_line.move_id.line_ids.filtered(
                    lambda l, a=items[0].account_id: l.account_id == a
                )
                (counterpart | items).reconcile()
    env.flush_all()
    return time.perf_counter() - started


def report(env, instance, headers, seconds, orm_seconds):
    lines = sum(len(h.lines) for h in headers)
    settlements = env["marketplace.settlement"].search(
        [("instance_id", "=", instance.id), ("state", "=", "booked")]
    )
    st_lines = settlements.statement_id.line_ids
    matched = st_lines.filtered("is_reconciled")
    print(
        "booking: %d periods, %d lines in %.1f s, %.0f lines/s; matched %d, left to match %d"
        % (
            len(settlements),
            lines,
            seconds,
            lines / max(seconds, 1e-9),
            len(matched),
            len(st_lines) - len(matched),
        )
    )
    for settlement in settlements:
        total = sum(
            line.amount_currency if line.foreign_currency_id else line.amount
            for line in settlement.statement_id.line_ids
        )
        print(
            "  %s: payout %.2f %s, statement lines add up to %.2f"
            % (settlement.name, settlement.payout_amount, settlement.currency_id.name, total)
        )
    print(
        "ORM only, same statement lines and reconciliations: %.1f s; ratio booking/ORM %.2f (goal 1.3 or less)"
        % (orm_seconds, seconds / max(orm_seconds, 1e-9))
    )


def main():
    args = parse_args(
        __doc__.splitlines()[0],
        marketplace={"default": "amazon", "choices": ["amazon", "bol"]},
        orders={"type": int, "default": 10000},
    )
    server, base_url = serve_in_thread(port=0, rate_limits=False)
    try:
        with odoo_env(args.db) as env:
            instance = set_up(env, server, base_url, args.marketplace, args.orders)
            headers, calls, throttled, seconds = read(instance, base_url)
            lines = sum(len(h.lines) for h in headers)
            print(
                "reading at the documented rates: %d closed periods, %d lines; API calls %d (%.4f per line); "
                "throttled %d; %.1f s"
                % (len(headers), lines, calls, calls / max(lines, 1), throttled, seconds)
            )
            with env.cr.savepoint(flush=True) as savepoint:
                orm_seconds = orm_only(env, instance, headers)
                savepoint.rollback()
            env.invalidate_all()
            seconds = book(env, instance, headers)
            report(env, instance, headers, seconds, orm_seconds)
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
