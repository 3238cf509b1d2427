"""The chaos run's peak campaign (docs/DESIGN.md section 12): forty bench partners
pre-book two roses three times what the lots hold; while journey workers are killed
(ChaosRun.kill_workers) the allocation is committed by two staff at once, then lots
are synced in for the date through the stock API, each starting a waitlist run in a
worker (orders.waitlist), and a worker caught running one is killed. Afterwards:
every servable unit is served (a dry run would grant nothing more), each order of a
run and ship-to exists once, the stock holds exactly what the allocations hold, and
the audit's campaign checks (backoffice.campaign_audit) pass with the rest."""

import json
import random
import signal
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import date, timedelta

import psutil

from bench.probes import qcluster_workers, wait_until

CAMPAIGN = "CHAOS-VDAY"
# Not "BX-": the chaos traffic orders every BX- SKU, and these sell through pre-books.
PRODUCTS = (("VD-CHAOS-RED", 10, 1200), ("VD-CHAOS-PINK", 5, 400))  # (sku, case pack, units at the start)
PARTNERS = 40
LOTS_SYNCED = 4  # per product, one every few seconds
WAITLIST_TASK = "serve_waitlists_task"


def build_campaign() -> dict:
    """The products with their first lots, the campaign for four days ahead, and the
    pre-books, through the services."""
    from django.utils import timezone

    from inventory.models import Product, Warehouse
    from inventory.stock_sync import set_on_hand
    from orders.campaigns import save_campaign
    from orders.prebooks import place_prebook
    from partners.models import Partner

    rng = random.Random(11)
    day = timezone.localdate() + timedelta(days=4)
    ams = Warehouse.objects.get(code="AMS")
    for sku, pack, units in PRODUCTS:
        product, _ = Product.objects.get_or_create(
            sku=sku,
            defaults={"name": f"{sku}, pre-book only", "category": "roses", "case_pack": pack, "list_price": "0.70"},
        )
        set_on_hand(product=product, warehouse=ams, lot="VD-0", on_hand=units, expected_version=0,
                    expires_on=day + timedelta(days=10), actor="chaos")  # fmt: skip
    now = timezone.now()
    campaign, _ = save_campaign(
        code=CAMPAIGN, name="The chaos run's Valentine's Day", delivery_date=day, opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(hours=1), products=[{"sku": sku} for sku, _, _ in PRODUCTS],
    )  # fmt: skip
    requested = Counter()
    for partner in Partner.objects.filter(code__startswith="BP").order_by("code")[:PARTNERS]:
        lines = [{"sku": sku, "quantity": pack * rng.randint(3, 15)} for sku, pack, _ in PRODUCTS]
        place_prebook(campaign=campaign, partner=partner, lines=lines, idempotency_key=f"chaos-{partner.code}")
        requested.update({line["sku"]: line["quantity"] for line in lines})
    return {"delivery_date": day.isoformat(), "requested": dict(requested)}


def staff_token() -> str:
    from django.contrib.auth import get_user_model

    from partners.tokens import issue_api_token

    user, _ = get_user_model().objects.get_or_create(
        username="chaos-stock-keeper", defaults={"is_staff": True, "is_superuser": True}
    )
    return issue_api_token(user=user, label="chaos", replace=True).key


def sync_lot(base_url: str, token: str, sku: str, lot: str, on_hand: int, expires_on: str) -> int:
    """A lot arriving, as the ERP syncs it: PUT through the stock API; the status."""
    body = json.dumps({"on_hand": on_hand, "version": 0, "expires_on": expires_on}).encode()
    request = urllib.request.Request(
        f"{base_url}/api/v1/stock/{sku}/AMS/lots/{lot}/",
        data=body,
        method="PUT",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def commit_twice_at_once() -> list:
    """Two staff commit the campaign at the same moment; the orders each run made."""
    from django.db import connection

    from orders.campaign_runs import run_allocation

    barrier, made = threading.Barrier(2), []

    def commit(actor):
        try:
            barrier.wait()
            made.append(len(run_allocation(campaign=CAMPAIGN, dry_run=False, actor=actor).order_numbers))
        except Exception as exc:
            made.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=commit, args=(f"chaos staff {i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(made, key=str)


def kill_a_waitlist_run(run, within_s: float) -> bool:
    """SIGKILL a worker seen running the waitlist task within `within_s`."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        cluster = run.platform.children.get("qcluster")
        for worker in qcluster_workers(cluster.pid) if cluster else ():
            try:
                if WAITLIST_TASK in " ".join(worker.cmdline()):
                    worker.send_signal(signal.SIGKILL)
                    return True
            except psutil.NoSuchProcess:
                continue
        time.sleep(0.005)
    return False


def commit_and_sync_while_killing(run) -> dict:
    """The fault: workers killed throughout (as `worker_killed`), the commit, then lots."""
    world = build_campaign()
    token = staff_token()
    killer_figures = {}
    killer = threading.Thread(target=lambda: killer_figures.update(run.kill_workers()))
    killer.start()
    time.sleep(2)
    commits = commit_twice_at_once()
    synced, caught = Counter(), 0
    expires_on = (date.fromisoformat(world["delivery_date"]) + timedelta(days=10)).isoformat()
    for index in range(1, LOTS_SYNCED + 1):
        time.sleep(run.rng.uniform(2, 4))
        for sku, _pack, units in PRODUCTS:
            synced[str(sync_lot(run.platform.base_url, token, sku, f"VD-{index}", units // 8, expires_on))] += 1
        caught += kill_a_waitlist_run(run, within_s=1.5)
    killer.join()
    return {**killer_figures, **world, "commits": commits, "lot_puts": dict(synced), "waitlist_runs_killed": caught}


def servable_left() -> int:
    """What a waitlist run would still grant now (0: the waitlist has been served as
    far as the supply goes)."""
    from orders.campaign_runs import run_allocation

    return sum(run_allocation(campaign=CAMPAIGN, dry_run=True).granted.values())


def campaign_figures(run) -> dict:
    """After the flow: wait for the waitlist to be served (by the task, or by the
    sweeper within a minute when a killed worker took the task with it), then count."""
    from django.db import connections
    from django.db.models import Count, Sum

    from inventory.models import Stock
    from orders.campaign_standings import line_standings
    from orders.campaigns import get_campaign
    from orders.models import AllocationRun, Order

    connections.close_all()
    started = time.monotonic()
    served = wait_until(lambda: servable_left() == 0, 150)
    campaign = get_campaign(CAMPAIGN)
    runs = AllocationRun.objects.filter(campaign=campaign)
    orders = Order.objects.filter(source=Order.Source.PREBOOK, po_number__startswith=f"{CAMPAIGN} run ")
    per_key = orders.values("po_number", "ship_to_id").annotate(n=Count("id")).order_by("-n").first()
    standings = line_standings(campaign)
    stock = Stock.objects.filter(product__sku__in=[sku for sku, _, _ in PRODUCTS])
    products = {}
    for sku, pack, _ in PRODUCTS:
        held = stock.filter(product__sku=sku).aggregate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
        allocated = sum(s.allocated for s in standings if s.sku == sku)
        products[sku] = {**held, "allocated": allocated, "case_pack": pack,
                         "waitlisted": sum(s.waitlisted for s in standings if s.sku == sku)}  # fmt: skip
    figures = {
        "runs": runs.count(),
        "waitlist_runs": runs.filter(kind=AllocationRun.Kind.WAITLIST).count(),
        "orders": orders.count(),
        "most_orders_for_one_key": per_key["n"] if per_key else 0,
        "products": products,
        "servable_left": 0 if served else servable_left(),
        "served_within_s": round(time.monotonic() - started, 1) if served else None,
    }
    figures["passed"] = bool(
        served
        and figures["most_orders_for_one_key"] == 1
        and figures["waitlist_runs"] >= 1
        # The allocation orders hold what was allocated, and what is left is less
        # than a case pack (a line waits for whole packs).
        and all(
            p["reserved"] == p["allocated"] and p["on_hand"] - p["allocated"] < p["case_pack"]
            for p in products.values()
        )  # fmt: skip
    )
    print(
        f"    campaign {'passed' if figures['passed'] else 'FAILED'}: {figures['runs']} runs "
        f"({figures['waitlist_runs']} waitlist), {figures['orders']} orders, at most "
        f"{figures['most_orders_for_one_key']} per run and ship-to, servable left {figures['servable_left']}, "
        f"products {products}",
        flush=True,
    )
    return {"campaign": figures}
