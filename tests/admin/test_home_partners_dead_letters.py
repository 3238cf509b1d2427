"""The admin home, partners (tokens), warehouses, dead letters, and who gets in."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from orders.factories import DeadLetterFactory, OrderFactory
from orders.models import DeadLetter, Order, OrderStatus
from partners.factories import MembershipFactory
from partners.models import ApiToken
from partners.tokens import hash_api_key
from tests.support.admin import change_url, changelist, messages_of, run_action

pytestmark = pytest.mark.django_db


def test_the_home_answers_are_we_ok_with_links(staff_client, held_order):
    stuck = OrderFactory(status=OrderStatus.PAID)
    Order.objects.filter(pk=stuck.pk).update(updated_at=stuck.updated_at.replace(year=2020))
    DeadLetterFactory(order=stuck)

    response = staff_client.get(reverse("admin:index"))

    health = response.context["health"]
    assert (health["stuck"], health["credit_holds"], health["dead_letters"]) == (1, 1, 1)
    assert health["queue_depth"] is not None and health["oldest_unfinished_seconds"] > 0
    assert {row["status"]: row["count"] for row in health["by_state"]}["CREATED"] == 1
    page = response.content.decode()
    assert 'href="/admin/orders/order/?hold__exact=credit&amp;status__in=CREATED%2CPAYMENT_PENDING"' in page
    assert 'href="/admin/orders/order/?attention=stuck"' in page
    assert 'href="/admin/orders/deadletter/?status__exact=open"' in page
    for url in (
        health["stuck_url"],
        health["credit_holds_url"],
        health["dead_letters_url"],
        health["by_state"][0]["url"],
    ):
        assert staff_client.get(url).status_code == 200


def test_the_home_survives_a_broker_that_is_down(staff_client, monkeypatch):
    import django_q.brokers
    from redis.exceptions import ConnectionError as RedisConnectionError

    def broker_down(*args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    # django-q2 reads its broker settings once at import, so Redis going away is
    # played by the broker lookup failing as it then would.
    monkeypatch.setattr(django_q.brokers, "get_broker", broker_down)

    response = staff_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert "unknown (broker unreachable)" in response.content.decode()


def test_create_api_token_shows_a_new_key_on_the_answer_page(staff_client, account_buyer):
    membership = MembershipFactory(partner=account_buyer, user__username="fern")

    response = run_action(staff_client, "partners.membership", "create_api_token", [membership])

    [token] = ApiToken.objects.filter(user=membership.user)
    [key] = re.findall(r'class="api-token-key">(\w+)<', response.content.decode())
    assert key.startswith(token.prefix) and hash_api_key(key) == token.key_hash
    again = run_action(staff_client, "partners.membership", "create_api_token", [membership])
    assert ApiToken.objects.filter(user=membership.user, revoked_at__isnull=True).count() == 2
    assert key not in again.content.decode()


def test_the_partner_page_shows_users_roles_addresses_prices_and_credit(staff_client, account_buyer):
    MembershipFactory(partner=account_buyer, user__username="fern")

    page = staff_client.get(change_url(account_buyer)).content.decode()

    assert "fern" in page and "buyer" in page and "Ship-to addresses" in page and "Partner prices" in page
    assert "5000.00" in page and 'name="credit-0-open_balance"' not in page


def test_the_partner_page_edits_its_order_limits(staff_client, account_buyer):
    page = staff_client.get(change_url(account_buyer)).content.decode()

    assert 'name="max_order_value" value="50000.00"' in page
    assert 'name="max_open_order_value" value="250000.00"' in page


def test_the_warehouse_page_says_closing_is_safe(staff_client, warehouses):
    page = staff_client.get(change_url(warehouses["AMS"])).content.decode()

    assert "re-routed to another open warehouse" in page


def test_dead_letters_retry_and_resolve_through_the_services(staff_client, held_order):
    Order.objects.filter(pk=held_order.pk).update(hold=Order.Hold.DEAD_LETTER)
    retry, resolve = DeadLetterFactory(order=held_order), DeadLetterFactory(order=held_order)

    run_action(staff_client, "orders.deadletter", "retry", [retry])
    response = run_action(staff_client, "orders.deadletter", "mark_resolved", [resolve, retry])

    retry.refresh_from_db(), resolve.refresh_from_db(), held_order.refresh_from_db()
    assert (retry.status, retry.resolved_by) == (DeadLetter.Status.RETRIED, "clerk")
    assert (resolve.status, resolve.resolved_by) == (DeadLetter.Status.RESOLVED, "clerk")
    assert held_order.hold == ""
    assert any("already handled" in m for m in messages_of(response))
    assert LogEntry.objects.filter(content_type__model="deadletter").count() == 2


def test_the_dead_letter_list_shows_task_order_error_attempts_and_status(staff_client, held_order):
    DeadLetterFactory(order=held_order, task="journey.pay", attempts=6)

    page = staff_client.get(changelist("orders.deadletter"), {"status__exact": "open"}).content.decode()

    assert "journey.pay" in page and held_order.number in page and "RuntimeError: boom" in page and ">6<" in page


@pytest.mark.parametrize(
    "name",
    [
        "admin:index",
        "admin:orders_order_changelist",
        "admin:inventory_stock_changelist",
        "admin:inventory_stock_import",
        "admin:orders_order_export",
        "admin:orders_deadletter_changelist",
        "admin:partners_partner_changelist",
    ],
)
def test_a_partner_user_reaches_no_admin_page(client, account_buyer, name):
    membership = MembershipFactory(partner=account_buyer, user__username="fern")
    client.force_login(membership.user)

    response = client.get(reverse(name))

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_a_partner_user_cannot_run_an_action(client, held_order):
    membership = MembershipFactory(partner=held_order.partner, user__username="fern")
    client.force_login(membership.user)

    client.post(changelist("orders.order"), {"action": "release_credit_holds", "_selected_action": [held_order.pk]})

    held_order.refresh_from_db()
    assert (held_order.status, held_order.hold) == (OrderStatus.CREATED, "credit")
