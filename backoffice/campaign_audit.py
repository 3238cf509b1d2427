"""The audit's campaign checks (docs/DESIGN.md section 12), read-only like the rest of
backoffice.audit: what committed allocation runs promised against what the database
holds, whatever happened while they ran (two staff committing at once, a waitlist task
killed mid-run, a card declined).

- `over_allocated`: no pre-book line is given more, over every run, than it requested
  (units forfeited by a cancelled order count: they were given once);
- `allocation_orders`: every allocation's order has source `prebook` and lines that
  cover exactly what the run allocated to it per product, and every `prebook` order
  was made by a run;
- `allocation_keys`: one order per run and ship-to (the key
  `campaign:<code>:run:<n>:ship-to:<id>`), and no order in two runs;
- `run_supply`: per product, no run allocated beyond the supply it recorded, for
  each freshness rule (the lines wanting at least d days within what lots fit for d
  days held);
- `run_result`: the allocations a run wrote are the result it recorded."""

from collections import defaultdict
from typing import TYPE_CHECKING

from django.db import connection

from orders.models import AllocationRun

if TYPE_CHECKING:
    from backoffice.audit import AuditReport


def _rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def check_campaigns(report: "AuditReport") -> None:
    check_lines_and_orders(report)
    check_runs(report)


def check_lines_and_orders(report: "AuditReport") -> None:
    """`over_allocated`, `allocation_orders` and `allocation_keys`."""
    for code, line_id, sku, partner, requested, given in _rows(
        """SELECT c.code, l.id, p.sku, pa.code, l.quantity, SUM(a.quantity)
             FROM orders_prebookline l
             JOIN orders_allocation a ON a.line_id = l.id
             JOIN orders_prebook b ON b.id = l.prebook_id
             JOIN orders_campaign c ON c.id = b.campaign_id
             JOIN partners_partner pa ON pa.id = b.partner_id
             JOIN inventory_product p ON p.id = l.product_id
            GROUP BY c.code, l.id, p.sku, pa.code, l.quantity HAVING SUM(a.quantity) > l.quantity"""
    ):
        report.findings["over_allocated"].append(
            f"campaign {code} line {line_id} ({partner} {sku}): requested {requested}, allocated {given}"
        )
    for number, source in _rows(
        """SELECT DISTINCT o.number, o.source FROM orders_allocation a JOIN orders_order o ON o.id = a.order_id
            WHERE o.source <> 'prebook' ORDER BY o.number"""
    ):
        report.findings["allocation_orders"].append(f"order {number} holds allocations but its source is {source}")
    for (number,) in _rows(
        """SELECT o.number FROM orders_order o
            WHERE o.source = 'prebook' AND NOT EXISTS (SELECT 1 FROM orders_allocation a WHERE a.order_id = o.id)
            ORDER BY o.number"""
    ):
        report.findings["allocation_orders"].append(f"order {number} has source prebook but no allocation")
    for number, sku, allocated, ordered in _rows(
        """WITH allocated AS (
                SELECT a.order_id, l.product_id, SUM(a.quantity) AS units
                  FROM orders_allocation a JOIN orders_prebookline l ON l.id = a.line_id GROUP BY 1, 2),
            ordered AS (
                SELECT ol.order_id, ol.product_id, SUM(ol.quantity) AS units FROM orders_orderline ol
                 WHERE ol.order_id IN (SELECT order_id FROM orders_allocation) GROUP BY 1, 2)
           SELECT o.number, p.sku, COALESCE(allocated.units, 0), COALESCE(ordered.units, 0)
             FROM allocated FULL JOIN ordered USING (order_id, product_id)
             JOIN orders_order o ON o.id = order_id JOIN inventory_product p ON p.id = product_id
            WHERE COALESCE(allocated.units, 0) <> COALESCE(ordered.units, 0) ORDER BY o.number, p.sku"""
    ):
        report.findings["allocation_orders"].append(
            f"order {number} {sku}: allocated {allocated}, its lines hold {ordered}"
        )
    for code, run, ship_to, numbers in _rows(
        """SELECT c.code, r.number, o.ship_to_id, array_agg(DISTINCT o.number ORDER BY o.number)
             FROM orders_allocation a JOIN orders_allocationrun r ON r.id = a.run_id
             JOIN orders_campaign c ON c.id = r.campaign_id JOIN orders_order o ON o.id = a.order_id
            GROUP BY c.code, r.number, o.ship_to_id HAVING COUNT(DISTINCT a.order_id) > 1"""
    ):
        report.findings["allocation_keys"].append(
            f"campaign {code} run {run} ship-to {ship_to}: {len(numbers)} orders {', '.join(numbers)}"
        )
    for number, runs in _rows(
        """SELECT o.number, COUNT(DISTINCT a.run_id) FROM orders_allocation a JOIN orders_order o ON o.id = a.order_id
            GROUP BY o.number HAVING COUNT(DISTINCT a.run_id) > 1"""
    ):
        report.findings["allocation_keys"].append(f"order {number} holds allocations of {runs} runs")


def _over_supply(inputs: dict, result: dict) -> list[str]:
    """Per product and freshness rule, where the result gives more than the supply."""
    problems = []
    for product, entry in inputs.get("products", {}).items():
        requests = [r for r in inputs.get("requests", []) if str(r["product"]) == product]
        sku = requests[0]["sku"] if requests else product
        for days, supply in entry.get("supply", {}).items():
            given = sum(result.get(str(r["line"]), 0) for r in requests if r["days"] >= int(days))
            if given > supply:
                problems.append(f"{sku}: allocated {given} to lines wanting {days}+ days, supply {supply}")
    return problems


def check_runs(report: "AuditReport") -> None:
    """`run_supply` and `run_result`, run by run."""
    written: dict[int, dict[str, int]] = defaultdict(dict)
    for run_id, line_id, quantity in _rows("SELECT run_id, line_id, quantity FROM orders_allocation"):
        written[run_id][str(line_id)] = quantity
    runs = AllocationRun.objects.select_related("campaign").only("id", "number", "inputs", "result", "campaign__code")
    count = 0
    for run in runs.iterator(chunk_size=200):
        count += 1
        label = f"campaign {run.campaign.code} run {run.number}"
        for problem in _over_supply(run.inputs, run.result):
            report.findings["run_supply"].append(f"{label}: {problem}")
        recorded = {line: units for line, units in run.result.items() if units}
        if written.get(run.id, {}) != recorded:
            report.findings["run_result"].append(
                f"{label}: recorded {sum(recorded.values())} units on {len(recorded)} lines, its allocations "
                f"hold {sum(written.get(run.id, {}).values())} on {len(written.get(run.id, {}))}"
            )
    report.counts["allocation_runs"] = count
