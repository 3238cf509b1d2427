"""Deploys while orders flow, each a `make chaos` scenario that must cost no failed
request and lose no order (issue 19): a graceful reload of the web hosts, a rolling
restart of the worker hosts, a release with a migration that adds a column, and a
machine of each kind dying under two hosts' worth of platform.

The deploy scenarios run on two web hosts (gunicorn masters behind nginx's upstream)
and two worker hosts (`run_workers`), as production would run them: the platform
grows to that before the first of them starts its flow, and stays so."""

import json
import signal
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psutil

from bench.chaos_scenario import Scenario
from bench.platform import WEBHOOK_WORKERS

HANDED_BACK = "handed back claimed orders on stopping"
# The deploy rehearsal's app (bench/deploy_rehearsal), the column it adds, and the
# long report that holds orders_order while the migration wants its lock.
REHEARSAL_APP = "deploy_rehearsal"
REHEARSAL_COLUMN = "chaos_rehearsal"
REPORT_HOLDS_S = 3.0
# How long nginx takes to take up a new configuration (HUP) and finish, in its old
# workers, the requests they had in flight to a host taken out of the upstream.
NGINX_SETTLES_S = 2.0


def host_child(kind: str, i: int) -> str:
    return kind if i == 1 else f"{kind}-{i}"


def grow_to_two_hosts(run) -> None:
    """Two web hosts behind nginx and two worker hosts, before the flow starts."""
    platform = run.platform
    if platform.worker_hosts < 2:
        platform.worker_hosts = 2
        platform.start_worker_host(2)
    if platform.web_hosts < 2:
        platform.web_hosts = 2
        platform.start_web_host(2)
        platform.stop_child("nginx")
        platform.start_nginx()  # its upstream now names both web hosts


# A web host's two gunicorns: its web pool and its webhook pool, with their workers and
# where each answers.
POOLS = {
    "gunicorn": (lambda platform: platform.web_workers, lambda platform, i: platform.web_host_address(i)),
    "gunicorn-webhooks": (lambda platform: WEBHOOK_WORKERS, lambda platform, i: platform.webhook_pool_address(i)),
}


def web_workers(platform, i: int, pool: str = "gunicorn") -> set[int]:
    try:
        return {p.pid for p in psutil.Process(platform.children[host_child(pool, i)].pid).children()}
    except (KeyError, psutil.NoSuchProcess):
        return set()


def reload_pool(platform, i: int, pool: str) -> float | None:
    """HUP one of web host `i`'s gunicorns; return the seconds until its workers were all
    new ones and it answered again."""
    workers, address = POOLS[pool]
    before = web_workers(platform, i, pool)
    platform.reload_web(i, pools=[pool])
    return wait_for(
        lambda: (
            len(now := web_workers(platform, i, pool)) >= workers(platform)
            and not now & before
            and answers(f"http://{address(platform, i)}/readyz")
        ),
        60,
    )


def cluster_up(platform, i: int) -> bool:
    """Worker host `i` has a sentinel with its workers running."""
    try:
        supervisor = psutil.Process(platform.children[host_child("qcluster", i)].pid)
        return any(len(child.children()) >= platform.q_workers for child in supervisor.children())
    except (KeyError, psutil.NoSuchProcess):
        return False


def wait_for(check, limit_s: float) -> float | None:
    """Seconds until `check()` held, or None if it did not within `limit_s`."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        if check():
            return round(time.monotonic() - started, 2)
        time.sleep(0.1)
    return None


def route_web_to(platform, hosts: list[int]) -> None:
    platform.route_web_to(hosts)
    time.sleep(NGINX_SETTLES_S)


def reload_web_hosts(run) -> dict:
    """HUP every web host's gunicorn masters in turn, each host out of nginx's upstreams
    while it reloads; return how long each pool took until its workers were all new
    ones and it answered again.

    Why not HUP them all at once: gunicorn starts the new workers and at once stops
    the old ones, and a new worker answers only once it has imported the application
    (one to three seconds on two busy cores). Requests meanwhile wait in the host's
    listen queue, and past SHED_AFTER_SECONDS are answered 503 (config/shedding.py).
    And a host's web pool before its webhook pool, not both at once: on one machine
    the new workers' imports take the cores from the host still serving, and five at
    once stalled it past its places in nginx (12 at 4 a worker: 11 refused and 3 shed
    in a run)."""
    platform = run.platform
    hosts = list(range(1, platform.web_hosts + 1))
    replaced = {}
    for i in hosts:
        if len(hosts) > 1:
            route_web_to(platform, [h for h in hosts if h != i])
        replaced[i] = {pool: reload_pool(platform, i, pool) for pool in POOLS}
        if len(hosts) > 1:
            warm_web_host(run, i)
            route_web_to(platform, hosts)
    return {"workers_replaced_s": replaced}


def warm_web_host(run, i: int, requests: int = 18) -> None:
    """Send a reloaded host's new workers a few API reads before it takes traffic
    again: a worker's first requests import and connect what it had not yet (seen: a
    host put back cold answered one order 1 s late, and that one was shed)."""
    url = f"http://{run.platform.web_host_address(i)}/api/v1/orders/?limit=1"
    token = {"Authorization": f"Token {run.traffic.card[0]}"}

    def read(_):
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers=token), timeout=10).close()
        except OSError:
            pass

    with ThreadPoolExecutor(max_workers=2 * run.platform.web_workers) as pool:
        list(pool.map(read, range(requests)))


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def restart_worker_hosts(run) -> list[dict]:
    """SIGTERM each worker host in turn, as a supervisor restarts it, and start it
    again; the next only once this one's cluster is up, so never both are down."""
    platform = run.platform
    restarts = []
    for i in range(1, platform.worker_hosts + 1):
        started = time.monotonic()
        platform.stop_worker_host(i, signal.SIGTERM)
        stopped_s = round(time.monotonic() - started, 2)
        platform.start_worker_host(i)
        restarts.append(
            {"host": i, "stop_s": stopped_s, "up_again_s": wait_for(lambda i=i: cluster_up(platform, i), 60)}
        )
    return restarts


class LogWatch:
    """What the platform's log says from now on: the orders workers handed back."""

    def __init__(self, platform):
        self.path = Path(platform.log.name)
        platform.log.flush()
        self.offset = self.path.stat().st_size

    def handed_back(self) -> int:
        orders = 0
        with self.path.open("rb") as log:
            log.seek(self.offset)
            for line in log:
                if HANDED_BACK.encode() in line:
                    try:
                        orders += json.loads(line).get("orders", 0)
                    except ValueError:
                        pass
        return orders


@contextmanager
def long_report_on_orders(database_url: str, hold_s: float) -> Iterator[None]:
    """A transaction that has read orders_order (a long report, a backup's snapshot)
    and goes on for `hold_s` after an ALTER TABLE of it first asks for its lock: the
    ALTER must wait for it to end."""
    import psycopg

    holding = threading.Event()

    def report():
        with psycopg.connect(database_url) as connection, psycopg.connect(database_url, autocommit=True) as watch:
            connection.execute("SELECT count(*) FROM orders_order").fetchone()
            holding.set()
            asked = "SELECT 1 FROM pg_stat_activity WHERE query ILIKE 'ALTER TABLE orders_order%'"
            wait_for(lambda: watch.execute(asked).fetchone(), 120)
            time.sleep(hold_s)

    thread = threading.Thread(target=report, daemon=True)
    thread.start()
    holding.wait(10)
    try:
        yield
    finally:
        thread.join()


def order_columns() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'orders_order'")
        return {row[0] for row in cursor.fetchall()}


# --- the scenarios ---------------------------------------------------------------------


def graceful_reload(run) -> dict:
    """HUP the web hosts again and again (twice at least) while orders flow."""
    reloads = []
    deadline = time.monotonic() + run.seconds * 0.6
    while len(reloads) < 2 or time.monotonic() < deadline:
        reloads.append(reload_web_hosts(run))
        time.sleep(run.rng.uniform(3, 6))
    return {"web_hosts": run.platform.web_hosts, "reloads": len(reloads), "each": reloads}


def rolling_worker_restart(run) -> dict:
    """Restart the worker hosts in turn, twice over, while orders flow."""
    log = LogWatch(run.platform)
    rounds = []
    for _ in range(2):
        rounds.append(restart_worker_hosts(run))
        time.sleep(run.rng.uniform(3, 6))
    return {
        "worker_hosts": run.platform.worker_hosts,
        "restarts": sum(map(len, rounds)),
        "rounds": rounds,
        "orders_handed_back": log.handed_back(),
    }


def expand_migration(run) -> dict:
    """A release with a migration that adds a column: the release on disk, `manage.py
    migrate` while the old code serves (with a long report holding the table, so the
    migration's lock waits), the new code taken up (HUP the web hosts, restart the
    worker hosts in turn), and the column removed again (the contract)."""
    release = Path(run.platform.settings["CHAOS_RELEASE_MARKER"])
    release.write_text("the deploy rehearsal's release\n")
    windows = {}
    try:
        with long_report_on_orders(run.platform.settings["DATABASE_URL"], REPORT_HOLDS_S):
            expand, windows["expand"] = timed(lambda: run.platform.manage("migrate", REHEARSAL_APP, "--noinput"))
        added = REHEARSAL_COLUMN in order_columns()
        time.sleep(2)  # the old code serves beside the new column
        (take_up, windows["take_up"]) = timed(lambda: (reload_web_hosts(run), restart_worker_hosts(run)))
        time.sleep(2)
        contract, windows["contract"] = timed(
            lambda: run.platform.manage("migrate", REHEARSAL_APP, "zero", "--noinput")
        )
    finally:
        release.unlink(missing_ok=True)
    return {
        "column_added": added,
        "column_removed": REHEARSAL_COLUMN not in order_columns(),
        "expand": migration_figures(expand, windows["expand"]),
        "take_up": {
            "web": take_up[0],
            "workers": take_up[1],
            "s": round(windows["take_up"][1] - windows["take_up"][0], 1),
        },
        "contract": migration_figures(contract, windows["contract"]),
        "windows": windows,
    }


def two_hosts(run) -> dict:
    """SIGKILL the whole process group of one web host and of one worker host, as a
    machine dying, and bring them back later."""
    platform = run.platform
    platform.stop_web_host(2, signal.SIGKILL)
    platform.stop_worker_host(1, signal.SIGKILL)
    # Out of the upstream, as a load balancer's health check takes a dead host out, and
    # back only once it is up and warm: nginx's own passive check (max_fails) sends a
    # host orders again as soon as its port listens, before its workers have loaded the
    # application, and they wait past SHED_AFTER_SECONDS (29 shed in a run).
    route_web_to(platform, [1])
    down_s = run.seconds * 0.3
    time.sleep(down_s)
    platform.start_worker_host(1)
    platform.start_web_host(2)
    warm_web_host(run, 2)
    route_web_to(platform, [1, 2])
    return {"killed": ["web host 2", "worker host 1"], "down_s": round(down_s, 1), "signal": "SIGKILL"}


def timed(action) -> tuple:
    started = time.monotonic()
    outcome = action()
    return outcome, (started, time.monotonic())


def migration_figures(output: str, window: tuple[float, float]) -> dict:
    return {
        "s": round(window[1] - window[0], 2),
        "lock_tries": output.count("lock not granted") + output.count("applied on try"),
        "lock_timeouts": output.count("lock not granted"),
    }


DEPLOY_SCENARIOS = [
    Scenario(
        "graceful_reload",
        "every web host's gunicorn reloaded gracefully (HUP), again and again",
        graceful_reload,
        before=grow_to_two_hosts,
        promises_no_failed_request=True,
    ),
    Scenario(
        "rolling_worker_restart",
        "the worker hosts restarted in turn (SIGTERM, then started again), twice over",
        rolling_worker_restart,
        before=grow_to_two_hosts,
        promises_no_failed_request=True,
    ),
    Scenario(
        "expand_migration",
        "a release whose migration adds a column, applied while the old code serves and a long report "
        "holds the table; the new code taken up; the column dropped again",
        expand_migration,
        before=grow_to_two_hosts,
        promises_no_failed_request=True,
    ),
    Scenario(
        "two_hosts",
        "one web host and one worker host SIGKILLed (a machine dying), brought back later",
        two_hosts,
        before=grow_to_two_hosts,
        promises_no_failed_request=True,
    ),
]
