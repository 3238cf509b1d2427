"""The audit: checks the platform's promises against what the database (and Stripe)
hold, whatever happened before — a crash, a chaos run, a bad deploy. Each check
returns the findings that break a promise; an empty report is a clean bill.

Read-only: it changes nothing, so it is safe to run at any time (`manage.py audit`).
The checks of peak campaigns' allocation runs are backoffice.campaign_audit's."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from backoffice.campaign_audit import check_campaigns
from inventory.freshness import lot_serves
from orders.models import OrderStatus
from orders.states import ALLOWED_TRANSITIONS, MOVED_BY_STEPS

# An order waiting at a step longer than this is not "still progressing".
STUCK_FACTOR = 5


@dataclass
class AuditReport:
    findings: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not any(self.findings.values())

    def as_dict(self) -> dict:
        return {"passed": self.passed, "counts": self.counts, "findings": {k: v for k, v in self.findings.items() if v}}


def _rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


_LOT = "p.sku || '@' || w.code || CASE WHEN s.lot = '' THEN '' ELSE ' lot ' || s.lot END"
_LOT_JOINS = "JOIN inventory_product p ON p.id = s.product_id JOIN inventory_warehouse w ON w.id = s.warehouse_id"


def check_stock(report: AuditReport) -> None:
    """Per lot (docs/DESIGN.md section 11): 0 <= reserved <= on_hand, the ledger sums
    to the lot, its active reservations sum to its reserved units, and each of them is
    fit for its delivery date under the lot's dates."""
    for label, on_hand, reserved in _rows(
        f"""SELECT {_LOT}, s.on_hand, s.reserved FROM inventory_stock s {_LOT_JOINS}
            WHERE s.reserved < 0 OR s.on_hand < 0 OR s.reserved > s.on_hand"""
    ):
        report.findings["oversold"].append(f"stock {label}: on_hand {on_hand}, reserved {reserved}")
    for label, on_hand, reserved, ledger_on_hand, ledger_reserved in _rows(
        f"""SELECT {_LOT}, s.on_hand, s.reserved, COALESCE(m.on_hand, 0), COALESCE(m.reserved, 0)
             FROM inventory_stock s {_LOT_JOINS}
             LEFT JOIN (SELECT product_id, warehouse_id, lot,
                               SUM(on_hand_delta) AS on_hand, SUM(reserved_delta) AS reserved
                          FROM inventory_stockmovement GROUP BY product_id, warehouse_id, lot) m
               ON m.product_id = s.product_id AND m.warehouse_id = s.warehouse_id AND m.lot = s.lot
            WHERE s.on_hand <> COALESCE(m.on_hand, 0) OR s.reserved <> COALESCE(m.reserved, 0)"""
    ):
        report.findings["ledger"].append(
            f"stock {label}: row {on_hand}/{reserved}, ledger sums {ledger_on_hand}/{ledger_reserved}"
        )
    for label, reserved, held in _rows(
        f"""SELECT {_LOT}, s.reserved, COALESCE(r.held, 0) FROM inventory_stock s {_LOT_JOINS}
             LEFT JOIN (SELECT product_id, warehouse_id, lot, SUM(quantity) AS held FROM inventory_reservation
                         WHERE status = 'active' GROUP BY product_id, warehouse_id, lot) r
               ON r.product_id = s.product_id AND r.warehouse_id = s.warehouse_id AND r.lot = s.lot
            WHERE s.reserved <> COALESCE(r.held, 0)"""
    ):
        report.findings["reservations"].append(f"stock {label}: reserved {reserved}, active reservations hold {held}")
    # Judged by inventory.freshness itself, over what each reservation recorded.
    for label, order_id, delivery_date, min_days, available_from, expires_on in _rows(
        f"""SELECT {_LOT}, r.order_id, r.delivery_date, r.min_days_at_delivery, s.available_from, s.expires_on
             FROM inventory_reservation r
             JOIN inventory_stock s
               ON s.product_id = r.product_id AND s.warehouse_id = r.warehouse_id AND s.lot = r.lot {_LOT_JOINS}
            WHERE r.status = 'active' AND r.delivery_date IS NOT NULL
              AND (s.available_from IS NOT NULL OR s.expires_on IS NOT NULL)"""
    ):
        if not lot_serves(
            available_from=available_from, expires_on=expires_on, delivery_date=delivery_date, required_days=min_days
        ):
            report.findings["unfit_lots"].append(
                f"stock {label}: reserved for order id {order_id}, delivery {delivery_date}, needs {min_days} days"
            )
    report.counts["stock_rows"] = _rows("SELECT count(*) FROM inventory_stock")[0][0]


def check_event_paths(report: AuditReport) -> None:
    """Every order's events start at CREATED and follow the state machine to its status."""
    paths: dict[int, list[tuple[str, str]]] = defaultdict(list)
    status_of: dict[int, tuple[str, str]] = {}
    for order_id, number, status, from_status, to_status in _rows(
        """SELECT o.id, o.number, o.status, e.from_status, e.to_status
             FROM orders_order o LEFT JOIN orders_orderevent e ON e.order_id = o.id ORDER BY o.id, e.id"""
    ):
        status_of[order_id] = (number, status)
        if to_status is not None:
            paths[order_id].append((from_status, to_status))
    for order_id, (number, status) in status_of.items():
        path = paths.get(order_id, [])
        problem = None
        if not path or path[0] != ("", OrderStatus.CREATED):
            problem = "does not start with its CREATED event"
        else:
            for (_, previous_to), (step_from, step_to) in zip(path, path[1:]):
                if step_from != previous_to or step_to not in ALLOWED_TRANSITIONS.get(step_from, ()):
                    problem = f"has the step {step_from} -> {step_to} after {previous_to}"
                    break
            if problem is None and path[-1][1] != status:
                problem = f"is {status} but its last event says {path[-1][1]}"
        if problem:
            report.findings["invalid_paths"].append(f"order {number} {problem}")
    report.counts["orders"] = len(status_of)


def check_progress(report: AuditReport) -> None:
    """Nothing accepted is lost: every order is final, waiting for a person (a hold),
    waiting for the warehouse (CONFIRMED), or moved recently enough to be in progress."""
    horizon = timezone.now() - timedelta(seconds=settings.BOUQUET["STUCK_AFTER_SECONDS"] * STUCK_FACTOR)
    for number, status, updated_at in _rows(
        """SELECT number, status, updated_at FROM orders_order
            WHERE status = ANY(%s) AND hold = '' AND updated_at < %s""",
        [list(MOVED_BY_STEPS), horizon],
    ):
        report.findings["lost"].append(f"order {number} has waited in {status} since {updated_at.isoformat()}")


def check_payments(report: AuditReport, intents: list[dict] | None) -> None:
    """At most one successful charge per order, and every one belongs to an order that
    is PAID or later, or was refunded. `intents` are the PaymentIntents Stripe holds
    (None: skip, e.g. when Stripe cannot be listed)."""
    if intents is None:
        report.counts["payment_intents"] = -1
        return
    succeeded: dict[str, list[str]] = defaultdict(list)
    for intent in intents:
        order_id = (intent.get("metadata") or {}).get("order_id")
        if intent.get("status") == "succeeded" and order_id:
            succeeded[order_id].append(intent["id"])
    states = {
        str(order_id): (number, status, payment_status)
        for order_id, number, status, payment_status in _rows(
            """SELECT o.id, o.number, o.status, COALESCE(p.status, '') FROM orders_order o
                 LEFT JOIN payments_payment p ON p.order_id = o.id WHERE o.id = ANY(%s)""",
            [[int(i) for i in succeeded if i.isdigit()]],
        )
    }
    for order_id, intent_ids in succeeded.items():
        number, status, payment_status = states.get(order_id, (f"id {order_id}", "missing", ""))
        if len(intent_ids) > 1:
            report.findings["double_charges"].append(
                f"order {number}: {len(intent_ids)} successful PaymentIntents {intent_ids}"
            )
        paid_or_later = status in (OrderStatus.PAID, OrderStatus.CONFIRMED, OrderStatus.SHIPPED)
        refunded = payment_status in ("refunded", "refund_pending")
        if not paid_or_later and not refunded:
            report.findings["charged_unpaid"].append(
                f"order {number} is {status} (payment {payment_status or 'none'}) but was charged"
            )
    report.counts["payment_intents"] = len(intents)


def stripe_payment_intents() -> list[dict] | None:
    """Every PaymentIntent at Stripe (or the stand-in), or None if it cannot be listed."""
    from payments import gateway

    try:
        found, params = [], {"limit": 100}
        while True:
            page = gateway.client().v1.payment_intents.list(params=params).to_dict()
            found.extend(page["data"])
            if not page.get("has_more") or not page["data"]:
                return found
            params = {"limit": 100, "starting_after": page["data"][-1]["id"]}
    except Exception:
        return None


def run_audit(*, with_stripe: bool = True) -> AuditReport:
    report = AuditReport()
    check_stock(report)
    check_event_paths(report)
    check_progress(report)
    check_payments(report, stripe_payment_intents() if with_stripe else None)
    check_campaigns(report)
    return report
