"""A journey worker told to stop (SIGTERM, as a supervisor sends it to the process
group in a deploy) finishes the order in hand and hands back the orders it claimed but
did not start, so another worker takes them at once rather than after their lease.

Found by `make chaos`: a worker stopped mid-batch left the orders it had claimed
waiting out STEP_LEASE_SECONDS (60 s). This runs the real `manage.py run_workers`,
lets its worker claim a batch of 250 card payments, signals the group as systemd does
once the worker has started the batch's payments, and requires every order the worker
had not started at Stripe to be claimable the moment the worker has gone, none charged
twice, all confirmed after."""

import os
import signal
from pathlib import Path

import psutil
import pytest

from journey.runner import STEPS, claim_orders, run_batch
from orders.models import Order, OrderStatus
from payments.models import Payment
from tests.support.journey import drive_journey, place, run_step_alone
from tests.support.processes import environment_of_this_run, start_manage_command, wait_for
from tests.support.stripe import payment_intents_by_order

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
# Large enough that the batch's calls to Stripe outlast the stop's way to the worker
# (through run_workers, when it alone is signalled): with the database work batched, 50
# orders' calls could all be made before it arrived, and once the batch's rows were
# written without bulk_create, 150 orders' calls at times. While run_workers passed the
# stop on at its watch loop's next look (every 0.2 s), 250 orders' were too, in two
# runs of three on a slower machine (2026-12-01); it now passes it on as it gets it.
BATCH = 250
WAITING_TO_PAY = (OrderStatus.INVENTORY_RESERVED, OrderStatus.PAYMENT_PENDING)


# The stop reaches the worker from the supervisor to the whole process group (systemd,
# honcho), or through run_workers when it alone is signalled; card payments run one at
# a time, or on threads.
@pytest.mark.parametrize(
    "stop_whole_group, stripe_threads", [(True, "1"), (True, "4"), (False, "1")], ids=["group", "threads", "supervisor"]
)
def test_a_worker_told_to_stop_mid_batch_hands_back_the_orders_it_had_not_started(
    stop_whole_group, stripe_threads, card_buyer, make_product, warehouses, tmp_path
):
    product = make_product("ROS-STOP-10", stock={warehouses["AMS"]: 10 * BATCH}, case_pack=10)
    ids = [place(card_buyer, {product.sku: 10}).id for _ in range(BATCH)]
    run_step_alone("reserve")  # all now wait at the pay step, one batch's worth
    assert Order.objects.filter(id__in=ids, status=OrderStatus.INVENTORY_RESERVED).count() == BATCH

    env = environment_of_this_run(Q_WORKERS="1", STRIPE_CONCURRENCY=stripe_threads, STEP_BATCH_SIZE=str(BATCH))
    with (tmp_path / "workers.log").open("wb") as log:
        workers = start_manage_command(["run_workers"], env=env, log=log)
    try:
        # reserve woke the pay step: the cluster's one worker claims them all as it starts.
        # The batch's payments start in one transaction, then go to Stripe one by one
        # (or a few at once on threads).
        wait_for(
            lambda: Payment.objects.filter(order_id__in=ids).exists(), 60, "the worker paid no order", every_s=0.02
        )
        family = [psutil.Process(workers.pid), *psutil.Process(workers.pid).children(recursive=True)]
        (os.killpg if stop_whole_group else os.kill)(workers.pid, signal.SIGTERM)
        _gone, alive = psutil.wait_procs(family, timeout=30)
        assert not alive, f"still running after SIGTERM: {[p.pid for p in alive]}"
    finally:
        if workers.poll() is None:
            os.killpg(workers.pid, signal.SIGKILL)
            workers.wait()

    left = sorted(Order.objects.filter(id__in=ids, status__in=WAITING_TO_PAY).values_list("id", flat=True))
    assert left, "the worker paid the whole batch before the stop reached it: nothing was cut off"
    assert Payment.objects.filter(order_id__in=left, stripe_payment_intent_id__isnull=False).count() == 0, (
        "an order in hand was cut off mid-payment"
    )
    # Handed back: claimable at once, not after STEP_LEASE_SECONDS.
    assert claim_orders(STEPS["pay"], limit=2 * BATCH) == left
    started = payment_intents_by_order(Order.objects.filter(id__in=left).select_related("partner"))
    assert all(intents == [] for intents in started.values()), "a handed-back order was started"

    run_batch(STEPS["pay"], left)
    drive_journey()
    orders = list(Order.objects.filter(id__in=ids).select_related("partner"))
    charged = payment_intents_by_order(orders)
    for order in orders:
        assert order.status == OrderStatus.CONFIRMED, f"{order.number} ended {order.status}"
        intents = charged[order.id]
        assert [pi["status"] for pi in intents] == ["succeeded"], f"{order.number} was charged {len(intents)} times"
