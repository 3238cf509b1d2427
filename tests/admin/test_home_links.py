"""Each number of the admin home's "are we OK?" links to exactly the orders (or dead
letters) behind it: followed, the list shows those and no others."""

import html
import re

import pytest
from django.urls import reverse

from orders.factories import DeadLetterFactory, OrderFactory
from orders.models import DeadLetter, Order, OrderStatus

pytestmark = pytest.mark.django_db

NUMBER_LINK = re.compile(r'<a class="health-number"(?: id="[^"]*")? href="([^"]*)">(?:<strong[^>]*>)?([^<]*)<')


@pytest.fixture
def orders_everywhere(db):
    """Orders at each step, some held, one stuck, one shipped; dead letters open and not."""
    made = {status: OrderFactory(status=status) for status in OrderStatus.values}
    made["held_created"] = OrderFactory(status=OrderStatus.CREATED, hold=Order.Hold.CREDIT)
    made["held_pending"] = OrderFactory(status=OrderStatus.PAYMENT_PENDING, hold=Order.Hold.CREDIT)
    made["held_paid"] = OrderFactory(status=OrderStatus.PAID, hold=Order.Hold.CREDIT)  # no credit decision there
    made["dead"] = OrderFactory(status=OrderStatus.PAID, hold=Order.Hold.DEAD_LETTER)
    made["stuck"] = OrderFactory(status=OrderStatus.INVENTORY_RESERVED)
    Order.objects.filter(pk=made["stuck"].pk).update(updated_at=made["stuck"].updated_at.replace(year=2020))
    DeadLetterFactory(order=made["dead"])
    DeadLetterFactory(order=made["PAID"], status=DeadLetter.Status.RESOLVED)
    return made


def followed(client, url: str) -> set[int]:
    response = client.get(html.unescape(url))
    assert response.status_code == 200, url
    return {row.pk for row in response.context["cl"].queryset}


def test_each_number_links_to_exactly_its_orders(staff_client, orders_everywhere):
    made = orders_everywhere
    ids = {name: order.pk for name, order in made.items()}
    waiting = {ids[s] for s in ("CREATED", "INVENTORY_RESERVED", "PAYMENT_PENDING", "PAID", "stuck")}

    page = staff_client.get(reverse("admin:index")).content.decode()
    links = NUMBER_LINK.findall(page)

    expected = [
        ({ids["stuck"]}, "1"),  # stuck past the sweeper's threshold
        ({ids["held_created"], ids["held_pending"]}, "2"),  # credit holds waiting for a decision
        (set(DeadLetter.objects.filter(status="open").values_list("pk", flat=True)), "1"),  # open dead letters
        (waiting, None),  # the queue's tasks are for the orders waiting
        ({ids["CREATED"]}, "1"),  # waiting to be reserved
        ({ids["INVENTORY_RESERVED"], ids["PAYMENT_PENDING"], ids["stuck"]}, "3"),  # to be paid
        ({ids["PAID"]}, "1"),  # to be finalized
        (waiting, None),  # the oldest unfinished order (seconds), among the orders waiting
    ]
    by_state = {status: {o.pk for o in Order.objects.filter(status=status)} for status in OrderStatus.values}
    expected += [(by_state[status], str(len(by_state[status]))) for status in OrderStatus.values]
    assert len(links) == len(expected)
    for (url, number), (orders, count) in zip(links, expected, strict=True):
        assert followed(staff_client, url) == orders, url
        if count is not None:
            assert number.strip() == count, url
