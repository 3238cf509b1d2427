"""What an order costs: CPU seconds by process kind over a scenario, divided by the
orders it confirmed (DESIGN section 9, "cost").

The platform's own kinds are nginx, gunicorn (the web pool), its webhook pool, the
journey's workers, the Stripe mirror, PostgreSQL and Redis; the Stripe stand-in and the
load generator (this process) are counted apart, since in production they run
elsewhere. PostgreSQL and Redis serve the whole machine: only the bench database's
backends and the server's own background processes are counted, so a test run beside
the bench on another database adds nothing to its figure (Redis cannot be told apart
by database, so it is counted whole).

A thread reads every process's CPU time every half second. A process counts from
its CPU time when first seen (or from zero if it started after the meter), to its CPU
time when last seen; a process that ends between two reads loses at most half a
second, which the bench's long-lived processes (gunicorn and django-q2 workers,
persistent database connections) make rare.

A PostgreSQL backend is also charged to the kind it serves (`postgres_by_client`): the
web pool's statements, the workers', the mirror's. The bench names each child's
connections after it (PGAPPNAME, bench.platform), and the meter reads a new backend's
application_name from pg_stat_activity, one query when backends appear. The
platform's sum counts each backend once, under "postgres"; the split says whose SQL it
was (issue 21's mirror is its own process plus the backend that serves it)."""

import os
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import psutil

PLATFORM_KINDS = ("nginx", "gunicorn", "webhooks", "workers", "mirror", "postgres", "redis")
APART_KINDS = ("stand_in", "load_generator")
KINDS = PLATFORM_KINDS + APART_KINDS
# What the platform's children are called (bench.platform: "gunicorn", "gunicorn-2",
# "gunicorn-webhooks", ...): the webhook pool is gunicorn too, counted apart so that
# intake's share and Stripe's webhooks' can be told.
CHILD_KINDS = {
    "nginx": "nginx",
    "gunicorn": "gunicorn",
    "qcluster": "workers",
    "mirror": "mirror",
    "localstripe": "stand_in",
}


def child_kind(name: str) -> str | None:
    if name.startswith("gunicorn-webhooks"):
        return "webhooks"
    return CHILD_KINDS.get(name.split("-")[0])


POSTGRES_TITLE = re.compile(r"^postgres: (?:\S+: )?(.*)$")
# A backend's title: "postgres: [<cluster>: ]<user> <database> <client> <state>".
POSTGRES_BACKEND = re.compile(r"^postgres: (?:\S+: )?\S+ \S+ (?:\S+\(\d+\)|\[local\]) ")
POSTGRES_BACKGROUND = (
    "checkpointer",
    "background writer",
    "walwriter",
    "autovacuum launcher",
    "logical replication launcher",
    "stats collector",
)


def postgres_process_counts(cmdline: list[str], database: str) -> bool:
    """Whether a PostgreSQL server process works for `database`: the postmaster, its
    background processes, and the backends and autovacuum workers of that database."""
    title = " ".join(cmdline)
    if not title.startswith("postgres: "):
        return True  # the postmaster, as started
    # "postgres: [<cluster name>: ]<what it does>" (Debian names its clusters "15/main").
    words = POSTGRES_TITLE.match(title).group(1)
    if words.startswith(POSTGRES_BACKGROUND):
        return True
    if words.startswith("autovacuum worker"):
        return words.split()[-1] == database
    parts = words.split()
    return len(parts) > 1 and parts[1] == database  # "<user> <database> <client> <state>"


def served_kind(application_name: str) -> str:
    """The kind of process a backend serves, from the application_name the bench gave
    that process's connections (PGAPPNAME): "other" for a client outside the platform
    (a test beside the bench, psql)."""
    if application_name == "load_generator":
        return application_name
    return child_kind(application_name) or "other"


def backend_application_names(database: str) -> dict[int, str]:
    """Each backend's application_name, by its pid; none while the database is away."""
    from django.db import DatabaseError, connections

    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pid, application_name FROM pg_stat_activity WHERE datname = %s", [database])
            return dict(cursor.fetchall())
    except DatabaseError:
        connections["default"].close()
        return {}


@dataclass
class Seen:
    kind: str
    first: float
    last: float
    serves: str | None = None  # a PostgreSQL backend's client kind


@dataclass
class CpuMeter:
    """Cumulative CPU seconds by kind since the meter started, for `children` (name to
    Popen of what the platform started) and the machine's PostgreSQL and Redis."""

    children: dict
    database: str
    interval_s: float = 0.5
    started_at: float = field(default_factory=time.time)
    seen: dict[tuple[int, float], Seen] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)

    def start(self) -> "CpuMeter":
        self.read()
        threading.Thread(target=self._loop, daemon=True).start()
        return self

    def stop(self) -> None:
        self.done.set()

    def _loop(self) -> None:
        while not self.done.wait(self.interval_s):
            self.read()

    def processes(self) -> list[tuple[str, psutil.Process]]:
        found = [("load_generator", psutil.Process(os.getpid()))]
        for name, popen in list(self.children.items()):
            kind = child_kind(name)
            if kind is None:
                continue
            try:
                parent = psutil.Process(popen.pid)
                found.extend((kind, process) for process in [parent, *parent.children(recursive=True)])
            except psutil.NoSuchProcess:
                pass
        for process in psutil.process_iter(["name", "cmdline"]):
            name, cmdline = process.info["name"], process.info["cmdline"] or []
            if name == "redis-server":
                found.append(("redis", process))
            elif name == "postgres" and postgres_process_counts(cmdline, self.database):
                found.append(("postgres", process))
        return found

    def read(self) -> None:
        for kind, process in self.processes():
            try:
                with process.oneshot():
                    times = process.cpu_times()
                    key = (process.pid, process.create_time())
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            cpu = times.user + times.system
            if key in self.seen:
                self.seen[key].last = cpu
                continue
            serves = self.client_kind(process) if kind == "postgres" else None
            seen = Seen(kind, 0.0 if key[1] > self.started_at else cpu, cpu, serves)
            with self.lock:
                self.seen.setdefault(key, seen)

    def client_kind(self, backend: psutil.Process) -> str:
        """The kind of the platform process a new backend serves, "postgres" for the
        server's own processes."""
        try:
            if not POSTGRES_BACKEND.match(" ".join(backend.cmdline())):
                return "postgres"
        except psutil.Error:
            return "other"
        return served_kind(backend_application_names(self.database).get(backend.pid, ""))

    def totals(self) -> dict[str, float]:
        """CPU seconds by kind, and PostgreSQL's by the kind it served ("postgres:<kind>")."""
        self.read()
        totals = dict.fromkeys(KINDS, 0.0)
        with self.lock:
            for seen in self.seen.values():
                totals[seen.kind] += seen.last - seen.first
                if seen.serves:
                    served = f"postgres:{seen.serves}"
                    totals[served] = totals.get(served, 0.0) + seen.last - seen.first
        return totals

    @contextmanager
    def window(self):
        """Yield a dict filled, when the block ends, with the CPU seconds each kind
        spent inside it."""
        spent: dict[str, float] = {}
        before = self.totals()
        try:
            yield spent
        finally:
            after = self.totals()
            spent.update({kind: after[kind] - before.get(kind, 0.0) for kind in after})


def per_order(spent: dict[str, float], orders: int, counted: str) -> dict:
    """CPU milliseconds per order by kind, the platform's own sum first."""
    if not orders:
        return {"orders": 0, "per": counted, "platform_cpu_ms_per_order": None, "by_kind": {}}
    by_kind = {kind: round(spent[kind] * 1000 / orders, 2) for kind in KINDS}
    served = sorted(kind for kind in spent if kind.startswith("postgres:"))
    return {
        "orders": orders,
        "per": counted,
        "platform_cpu_ms_per_order": round(sum(by_kind[kind] for kind in PLATFORM_KINDS), 2),
        "by_kind": by_kind,
        "postgres_by_client": {kind.split(":")[1]: round(spent[kind] * 1000 / orders, 2) for kind in served},
        "cpu_s": {kind: round(spent[kind], 2) for kind in KINDS},
    }


def _newest_ids() -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT (SELECT coalesce(max(id), 0) FROM orders_order),
                      (SELECT coalesce(max(id), 0) FROM orders_orderevent)"""
        )
        return cursor.fetchone()


def _orders_since(order_id: int, event_id: int) -> tuple[int, int]:
    """Orders accepted after `order_id`, and orders confirmed after event `event_id`."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT (SELECT count(*) FROM orders_order WHERE id > %s),
                      (SELECT count(*) FROM orders_orderevent WHERE id > %s AND to_status = 'CONFIRMED')""",
            [order_id, event_id],
        )
        return cursor.fetchone()


@contextmanager
def costed(meter: CpuMeter, figures: dict, name: str):
    """Run a scenario and add its CPU per order by kind to `figures[name]["cost"]`: per
    order confirmed during it, or per order accepted where none was (intake with the
    workers stopped)."""
    order_id, event_id = _newest_ids()
    with meter.window() as spent:
        yield
    accepted, confirmed = _orders_since(order_id, event_id)
    if name in figures:
        figures[name]["cost"] = per_order(spent, *orders_counted(accepted, confirmed))


def orders_counted(accepted: int, confirmed: int) -> tuple[int, str]:
    """What a scenario's CPU is divided by: the orders it confirmed, or those it
    accepted where it confirmed fewer than half of them (intake with the workers
    stopped, whose few confirmations are stragglers of the scenario before)."""
    if confirmed and confirmed * 2 >= accepted:
        return confirmed, "confirmed"
    return accepted, "accepted"


def headline(figures: dict, order: tuple[str, ...] = ("end_to_end", "intake", "spike")) -> dict:
    """The run's cost figure: the first of `order`'s scenarios that confirmed orders,
    with every scenario's own figure beside it."""
    by_scenario = {
        name: value["cost"]["platform_cpu_ms_per_order"]
        for name, value in figures.items()
        if isinstance(value, dict) and isinstance(value.get("cost"), dict)
    }
    for name in order:
        cost = (figures.get(name) or {}).get("cost") or {}
        if cost.get("per") == "confirmed" and cost.get("orders"):
            return {**cost, "from": name, "by_scenario": by_scenario}
    return {"platform_cpu_ms_per_order": None, "by_kind": {}, "from": None, "by_scenario": by_scenario}
