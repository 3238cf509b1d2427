"""What the chaos harness reads from the database and the processes while faults
happen: orders waiting, the qcluster's workers and sentinels, which step a worker is
in, and polling helpers."""

import time
from collections.abc import Callable

import psutil

from bench.scenarios import waiting_statuses


def last_order_id() -> int:
    from orders.models import Order

    return Order.objects.order_by("-id").values_list("id", flat=True).first() or 0


def waiting_orders(start_id: int) -> int:
    from orders.models import Order

    return Order.objects.filter(id__gt=start_id, status__in=waiting_statuses(), hold="").count()


def status_counts(start_id: int) -> dict:
    from django.db.models import Count

    from orders.models import Order

    rows = Order.objects.filter(id__gt=start_id).values("status", "hold").annotate(n=Count("id"))
    return {f"{r['status']}{' (' + r['hold'] + ' hold)' if r['hold'] else ''}": r["n"] for r in rows}


def qcluster_workers(cluster_pid: int) -> list[psutil.Process]:
    """The worker processes (not the monitor or the pusher), told by the title
    django-q2 gives them ("qcluster <name> idle" or "... processing <task>")."""
    try:
        processes = psutil.Process(cluster_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for process in processes:
        try:
            title = " ".join(process.cmdline())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if title.startswith("qcluster") and (" idle" in title or " processing " in title):
            found.append(process)
    return found


def qcluster_sentinels(supervisor_pid: int) -> list[psutil.Process]:
    """The cluster's guard: the supervisor's child that has children of its own."""
    try:
        return [child for child in psutil.Process(supervisor_pid).children() if child.children()]
    except psutil.NoSuchProcess:
        return []


def step_in_flight(process: psutil.Process, postgres_port: int) -> str | None:
    """Which journey step the process's database session is inside, read from what
    PostgreSQL says it is doing; None when it is not inside a transaction."""
    from django.db import connection

    try:
        ports = [c.laddr.port for c in process.net_connections(kind="tcp") if c.raddr and c.raddr.port == postgres_port]
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    if not ports:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT state, query FROM pg_stat_activity WHERE client_port = ANY(%s)", [ports])
        rows = cursor.fetchall()
    for state, query in rows:
        if state in ("active", "idle in transaction"):
            return classify_step(query)
    return None


def classify_step(query: str) -> str | None:
    if "orders_campaign" in query or "orders_prebook" in query or "orders_allocation" in query:
        return "waitlist run"  # a campaign's run (it locks lots too, so it is asked first)
    if "inventory_" in query or "'CREATED'" in query:
        return "reserve"
    if "fulfillment_" in query or "'PAID'" in query:
        return "finalize"
    if "payments_" in query or "partners_creditaccount" in query or "PAYMENT_PENDING" in query:
        return "payment"
    return None  # the sweeper's reads, django-q2's own bookkeeping


def probe_while(base_url: str, seconds: float) -> dict:
    """Ask /readyz once a second during an outage: how it answered and how fast."""
    import urllib.error
    import urllib.request

    answers: dict[str, int] = {}
    slowest = 0.0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sent = time.monotonic()
        try:
            with urllib.request.urlopen(f"{base_url}/readyz", timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        slowest = max(slowest, time.monotonic() - sent)
        answers[str(status)] = answers.get(str(status), 0) + 1
        time.sleep(max(0.0, 1 - (time.monotonic() - sent)))
    return {"answers": answers, "slowest_s": round(slowest, 2)}


def difference(after: dict, before: dict) -> dict:
    """What happened between two readings of nested counters."""
    return {
        key: difference(value, before.get(key, {})) if isinstance(value, dict) else value - before.get(key, 0)
        for key, value in after.items()
    }


def wait_until(check: Callable[[], bool], limit_s: float) -> bool:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except Exception:  # the database may still be coming back
            from django.db import connections

            connections.close_all()
        time.sleep(1)
    return False


# --- the run ---------------------------------------------------------------------------
