"""The nightly reconciliation: what Stripe holds for the last day (charges and refunds)
compared with our payments, each difference recorded as a finding for the admin's
"Are we OK?" panel (backoffice/dashboard.py). It reads Stripe through the gateway's
client (payments/gateway.py), with its timeouts.

What it can list: charges created in the window (`created[gt]`, which the stand-in
also serves), and refunds newest first, read until one is older than the window (the
stand-in filters refunds by nothing but their charge). The stand-in cannot list
disputes at all; disputes reach us only as events (payments/disputes.py)."""

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from payments import gateway
from payments.models import Payment, ReconciliationFinding, ReconciliationRun

logger = logging.getLogger("bouquet.payments.reconciliation")

PAGE_SIZE = 100
Kind = ReconciliationFinding.Kind


def reconcile(*, hours: int | None = None, since: datetime | None = None) -> ReconciliationRun:
    """Compare what Stripe made after `since`, by default in the last `hours`
    (STRIPE_MIRROR["RECONCILE_HOURS"]), and record the run with its findings. A Stripe
    that cannot be read is recorded as the run's error."""
    started_at = timezone.now()
    window_start = since or started_at - timedelta(hours=hours or settings.STRIPE_MIRROR["RECONCILE_HOURS"])
    run = ReconciliationRun(started_at=started_at, window_start=window_start)
    findings: list[ReconciliationFinding] = []
    try:
        charges = list(_listed("charges", {"created": {"gt": int(window_start.timestamp())}}))
        refunds = list(_refunds_since(window_start))
        charges_by_id = _with_charges_of(refunds, {c["id"]: c for c in charges})
    except Exception as exc:  # any failure to read Stripe is the run's answer, shown in the panel
        run.error = f"Stripe could not be listed: {type(exc).__name__}: {exc}"[:2000]
        logger.warning("reconciliation could not list Stripe", extra={"error": run.error})
        charges, refunds, charges_by_id = [], [], {}
    run.charges_checked, run.refunds_checked = len(charges), len(refunds)
    payments = _payments_by_intent(list(charges_by_id.values()), refunds)
    findings += charge_findings(charges, payments)
    findings += refund_findings(refunds, payments, charges_by_id=charges_by_id)
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save()
        for finding in findings:
            finding.run = run
        ReconciliationFinding.objects.bulk_create(findings)
    logger.info("reconciliation done", extra={"run": run.id, "findings": len(findings), "charges": len(charges)})
    return run


def charge_findings(charges: list[dict], payments: dict[str, Payment]) -> list[ReconciliationFinding]:
    found = []
    for charge in charges:
        if charge.get("status") != "succeeded":
            continue
        payment = payments.get(charge.get("payment_intent") or "")
        if payment is None:
            detail = f"charge {charge['id']} of {_money(charge['amount'], charge['currency'])} has no payment of ours"
            found.append(ReconciliationFinding(kind=Kind.CHARGE_WITHOUT_ORDER, stripe_id=charge["id"], detail=detail))
        elif _cents(payment.amount) != charge["amount"] or payment.currency.lower() != charge["currency"].lower():
            detail = (
                f"charge {charge['id']} is {_money(charge['amount'], charge['currency'])}; "
                f"order {payment.order_id}'s payment is {payment.amount} {payment.currency}"
            )
            found.append(
                ReconciliationFinding(kind=Kind.AMOUNT_DIFFERS, stripe_id=charge["id"], payment=payment, detail=detail)
            )
    return found


def refund_findings(refunds: list[dict], payments: dict[str, Payment], *, charges_by_id: dict) -> list:
    found = []
    for refund in refunds:
        if refund.get("status") not in ("succeeded", "pending"):
            continue
        payment = payments.get(_intent_of_refund(refund, charges_by_id))
        if payment is not None and payment.stripe_refund_id == refund["id"]:
            continue
        whose = f"order {payment.order_id}'s payment" if payment else "no payment of ours"
        detail = f"refund {refund['id']} of {_money(refund['amount'], refund['currency'])}: {whose} does not record it"
        found.append(
            ReconciliationFinding(kind=Kind.REFUND_NOT_RECORDED, stripe_id=refund["id"], payment=payment, detail=detail)
        )
    return found


def _listed(kind: str, params: dict) -> Iterator[dict]:
    """Every object of a list, page by page."""
    service = getattr(gateway.client().v1, kind)
    params = {"limit": PAGE_SIZE, **params}
    while True:
        page = service.list(params=params).to_dict()
        yield from page["data"]
        if not page.get("has_more") or not page["data"]:
            return
        params = {**params, "starting_after": page["data"][-1]["id"]}


def _refunds_since(window_start: datetime) -> Iterator[dict]:
    since = window_start.timestamp()
    for refund in _listed("refunds", {}):
        created = refund.get("created") or refund.get("date") or 0
        if created <= since:  # as charges' created[gt]: the window starts after `since`
            return
        yield refund


def _with_charges_of(refunds: list[dict], charges_by_id: dict) -> dict:
    """The charges listed, and those of refunds that name only a charge made before the
    window (one retrieval each), so every refund finds its PaymentIntent."""
    for refund in refunds:
        charge_id = refund.get("charge")
        if not refund.get("payment_intent") and charge_id and charge_id not in charges_by_id:
            charges_by_id[charge_id] = gateway.client().v1.charges.retrieve(charge_id).to_dict()
    return charges_by_id


def _payments_by_intent(charges: list[dict], refunds: list[dict]) -> dict[str, Payment]:
    intents = {c.get("payment_intent") for c in charges} | {r.get("payment_intent") for r in refunds}
    intents.discard(None)
    return {p.stripe_payment_intent_id: p for p in Payment.objects.filter(stripe_payment_intent_id__in=intents)}


def _intent_of_refund(refund: dict, charges_by_id: dict) -> str:
    if refund.get("payment_intent"):
        return refund["payment_intent"]
    return (charges_by_id.get(refund.get("charge")) or {}).get("payment_intent") or ""


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _money(cents: int, currency: str) -> str:
    return f"{Decimal(cents) / 100:.2f} {currency.upper()}"
