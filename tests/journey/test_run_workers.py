"""`manage.py run_workers` keeps the journey's cluster alive when its sentinel dies.

Found by `make chaos`: after a SIGKILL of django-q2's sentinel, `manage.py qcluster`
left orphaned workers and no guard, and no order moved again. This runs the real
command against the test database and Redis, kills the sentinel, and requires a new
cluster that moves an order, with the old cluster's processes gone. Also found by
`make chaos`: a worker killed while it waits for a task takes the workers' queue lock
with it, and the cluster takes no task again; run_workers must start a new one."""

import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest
from django_q.tasks import async_task

from orders.models import Order, OrderStatus
from tests.support.journey import place
from tests.support.processes import environment_of_this_run, start_manage_command

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what} within {seconds:.0f}s")


def sentinel_of(supervisor: psutil.Process) -> psutil.Process | None:
    """The cluster's guard: the supervisor's child that has started children."""
    for child in supervisor.children():
        try:
            if child.children():
                return child
        except psutil.NoSuchProcess:
            pass
    return None


def running(process: psutil.Process) -> str | None:
    try:
        status = process.status()
    except psutil.NoSuchProcess:
        return None
    return None if status == psutil.STATUS_ZOMBIE else " ".join(process.cmdline())


@pytest.fixture
def run_workers(tmp_path):
    env = environment_of_this_run(Q_WORKERS="1", DJANGO_Q_LOG_LEVEL="INFO", WORKERS_STALLED_AFTER_SECONDS="3")
    log = tmp_path / "workers.log"
    with log.open("wb") as out:
        process = start_manage_command(["run_workers"], env=env, log=out)
    try:
        yield psutil.Process(process.pid), log
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except ProcessLookupError:
            pass  # the test stopped it
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_a_killed_sentinel_is_replaced_and_the_new_cluster_moves_orders(
    run_workers, account_buyer, make_product, warehouses
):
    supervisor, log = run_workers
    product = make_product("ROS-RED-50", stock={warehouses["RTM"]: 500}, case_pack=10)
    first = wait_for(lambda: sentinel_of(supervisor), 60, "the cluster did not start")
    old_family = first.children(recursive=True)

    first.send_signal(signal.SIGKILL)

    second = wait_for(
        lambda: (s := sentinel_of(supervisor)) and s.pid != first.pid and s,
        30,
        "no new sentinel after the old one was killed",
    )
    assert supervisor.is_running(), "run_workers itself must survive its cluster's sentinel"
    wait_for(
        lambda: not [p for p in old_family if running(p)],
        10,
        f"the dead sentinel's workers were left running: {[(p.pid, running(p)) for p in old_family]}",
    )
    assert "the qcluster sentinel died" in log.read_text()

    order = place(account_buyer, {product.sku: 20})  # its wake-up goes to the new cluster
    wait_for(
        lambda: Order.objects.get(id=order.id).status == OrderStatus.CONFIRMED,
        60,
        f"order {order.number} did not reach CONFIRMED through the new cluster",
    )
    assert second.is_running()


def test_a_cluster_stalled_by_a_worker_killed_while_waiting_is_replaced(
    run_workers, account_buyer, make_product, warehouses
):
    supervisor, log = run_workers
    product = make_product("ROS-RED-50", stock={warehouses["RTM"]: 500}, case_pack=10)
    first = wait_for(lambda: sentinel_of(supervisor), 60, "the cluster did not start")
    idle = wait_for(lambda: [w for w in first.children() if " idle" in (running(w) or "")], 30, "no idle worker")

    for worker in idle:  # waiting for a task, each holds the queue's read lock in turn
        worker.send_signal(signal.SIGKILL)
    order = place(account_buyer, {product.sku: 20})
    for _ in range(3):  # more than the stalled cluster's queue takes: they wait in Redis
        async_task("journey.tasks.run_step_task", "reserve")

    wait_for(
        lambda: Order.objects.get(id=order.id).status == OrderStatus.CONFIRMED,
        60,
        f"order {order.number} did not reach CONFIRMED: the stalled cluster was not replaced",
    )
    assert "the qcluster took no task while tasks waited" in log.read_text()
    assert not running(first)


def test_sigterm_stops_run_workers_and_its_cluster(run_workers):
    supervisor, _log = run_workers
    sentinel = wait_for(lambda: sentinel_of(supervisor), 60, "the cluster did not start")
    family = [supervisor, sentinel, *sentinel.children(recursive=True)]

    os.killpg(supervisor.pid, signal.SIGTERM)

    gone, alive = psutil.wait_procs(family, timeout=20)
    assert not alive, f"still running after SIGTERM: {[p.pid for p in alive]}"
