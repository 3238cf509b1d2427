"""Placing orders and running the journey inline, as the workers would."""

import dataclasses
import random

from journey.runner import STEPS, claim_orders, run_all_steps, run_batch
from journey.steps import finalize, pay, reserve
from orders.intake import place_order
from orders.models import Order, OrderStatus
from orders.wakeups import wake_on_commit
from partners.factories import CreditAccountFactory, PartnerFactory
from partners.models import Partner


def place(partner, lines: dict, **kwargs) -> Order:
    """Place an order of {sku: quantity} through the intake service and return it."""
    return place_order(partner=partner, lines=[{"sku": s, "quantity": q} for s, q in lines.items()], **kwargs).order


# Each step's batch as it was before the steps were chained (journey.chain): it stops
# where its own step ends.
# Every state an order paying its way to CONFIRMED passes through, in order.
PATH_TO_CONFIRMED = [
    OrderStatus.CREATED,
    OrderStatus.INVENTORY_RESERVED,
    OrderStatus.PAYMENT_PENDING,
    OrderStatus.PAID,
    OrderStatus.CONFIRMED,
]
_UNCHAINED_BATCHES = {"reserve": reserve.reserve_batch, "pay": pay.pay_batch, "finalize": finalize.finalize_batch}


def unchained(step_name: str):
    """The step as it ran before the chained pass: its batch stops where the step ends,
    card orders are paid one at a time by `pay_one`."""
    return dataclasses.replace(STEPS[step_name], handle_batch=_UNCHAINED_BATCHES.get(step_name))


def run_step_alone(step_name: str) -> int:
    """Run one step over whatever is due and stop where it ends (to bring orders to a
    state a test starts from); return how many orders it handled."""
    step, handled = unchained(step_name), 0
    while order_ids := claim_orders(step, limit=50):
        run_batch(step, order_ids)
        handled += len(order_ids)
        wake_on_commit(*step.wakes)
    return handled


def drive_journey(rounds: int = 6) -> None:
    """Run every step until nothing is due (what the workers do, inline)."""
    for _ in range(rounds):
        if not any(run_all_steps().values()):
            return


def scarce_world(prefix: str, warehouses, make_product) -> None:
    """Three SKUs with little stock spread unevenly over the warehouses."""
    stock = {"A": (4, 0, 7), "B": (0, 6, 2), "C": (5, 5, 0)}
    for name, (ams, rtm, lhr) in stock.items():
        make_product(
            f"{prefix}-{name}",
            stock={warehouses["AMS"]: ams, warehouses["RTM"]: rtm, warehouses["LHR"]: lhr},
            case_pack=1,
            list_price="1.00",
        )


def twin_orders(account_buyer, warehouses, make_product) -> dict[str, list[Order]]:
    """The same twelve orders, from two buyers with different home warehouses, placed
    in two identical scarce worlds ("ONE" and "BATCH"), to handle one way and the other."""
    ams_buyer = PartnerFactory(
        code="IRIS", payment_method=Partner.PaymentMethod.ACCOUNT, home_warehouse=warehouses["AMS"], credit=None
    )
    CreditAccountFactory(partner=ams_buyer, credit_limit="5000.00")
    rng = random.Random(8)
    wishes = [
        (
            rng.choice([account_buyer, ams_buyer]),
            {name: rng.randint(1, 4) for name in rng.sample("ABC", rng.randint(1, 3))},
        )
        for _ in range(12)
    ]
    placed = {}
    for prefix in ("ONE", "BATCH"):
        scarce_world(prefix, warehouses, make_product)
        placed[prefix] = [
            place(buyer, {f"{prefix}-{name}": quantity for name, quantity in lines.items()}) for buyer, lines in wishes
        ]
    return placed
