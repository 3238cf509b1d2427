"""A partner's buyer and a partner's admin against each partner door, in the portal
and the API: a buyer sees and cancels the orders they placed; a partner admin every
order of the company, its credit and its users. "Mine" is an order the caller placed,
"theirs" one a colleague at the same partner placed."""

import pytest

from orders.factories import OrderEventFactory, OrderFactory
from orders.models import CsvUpload, OrderStatus
from tests.support.api import client_for
from tests.support.journey import place

pytestmark = pytest.mark.django_db


def portal_lists(client, order) -> bool:
    return order.number in client.get("/orders/").content.decode()


def portal_home_lists(client, order) -> bool:
    return order.number in client.get("/").content.decode()


def portal_opens(client, order) -> bool:
    status = client.get(f"/orders/{order.number}/").status_code
    assert status in (200, 404)
    return status == 200


def portal_cancels(client, order) -> bool:
    client.post(f"/orders/{order.number}/cancel/", {"reason": "no longer needed"})
    order.refresh_from_db()
    return order.status == OrderStatus.CANCELLED


def api_lists(api, order) -> bool:
    return order.number in [o["number"] for o in api.get("/api/v1/orders/").json()["results"]]


def api_reads(api, order) -> bool:
    answer = api.get(f"/api/v1/orders/{order.number}/")
    assert answer.status_code in (200, 404)
    return answer.status_code == 200


def api_cancels(api, order) -> bool:
    answer = api.post(f"/api/v1/orders/{order.number}/cancel/", {"reason": "dup"}, format="json")
    order.refresh_from_db()
    assert (answer.status_code == 200) == (order.status == OrderStatus.CANCELLED), answer.json()
    if answer.status_code != 200:
        assert answer.status_code == 404 and answer.json()["code"] == "order_not_found"
    return order.status == OrderStatus.CANCELLED


PORTAL_DOORS = {
    "order list": portal_lists,
    "home's recent orders": portal_home_lists,
    "order page": portal_opens,
    "cancel": portal_cancels,
}
API_DOORS = {"order list": api_lists, "order detail": api_reads, "cancel": api_cancels}


def orders_of(world, role: str):
    """The caller and (mine, theirs) for the role."""
    me, colleague = (world["buyer"], world["admin"]) if role == "buyer" else (world["admin"], world["buyer"])
    mine = world["order"] if role == "buyer" else place(world["partner"], {"RO-MATRIX": 20}, user=me)
    theirs = place(world["partner"], {"RO-MATRIX": 30}, user=colleague)
    return me, mine, theirs


@pytest.mark.parametrize("role", ["buyer", "admin"])
@pytest.mark.parametrize("door", PORTAL_DOORS)
def test_in_the_portal_a_buyer_reaches_their_own_orders_and_an_admin_the_companys(client, world, door, role):
    me, mine, theirs = orders_of(world, role)
    client.force_login(me)

    assert PORTAL_DOORS[door](client, theirs) == (role == "admin")
    assert PORTAL_DOORS[door](client, mine) is True


@pytest.mark.parametrize("role", ["buyer", "admin"])
@pytest.mark.parametrize("door", API_DOORS)
def test_through_the_api_a_buyer_reaches_their_own_orders_and_an_admin_the_companys(world, door, role):
    me, mine, theirs = orders_of(world, role)
    api = client_for(me)

    assert API_DOORS[door](api, theirs) == (role == "admin")
    assert API_DOORS[door](api, mine) is True


@pytest.mark.parametrize("role", ["buyer", "admin"])
def test_the_event_feed_gives_a_buyer_their_own_orders_events_and_an_admin_the_companys(world, role):
    me, colleague = (world["buyer"], world["admin"]) if role == "buyer" else (world["admin"], world["buyer"])
    # Events of transactions long ended (small ids), so the feed serves them at once.
    mine = OrderEventFactory(order=OrderFactory(partner=world["partner"], placed_by=me), tx_id=1)
    theirs = OrderEventFactory(order=OrderFactory(partner=world["partner"], placed_by=colleague), tx_id=2)
    api = client_for(me)

    served = [event["id"] for event in api.get("/api/v1/events/").json()["results"]]
    from_theirs = api.get(f"/api/v1/events/?after={theirs.id}")

    assert served == ([mine.id, theirs.id] if role == "admin" else [mine.id])
    assert from_theirs.status_code == (200 if role == "admin" else 422)
    if role == "buyer":
        assert from_theirs.json()["code"] == "invalid_cursor"


@pytest.mark.parametrize("role", ["buyer", "admin"])
def test_the_company_credit_and_users_are_for_a_partner_admin(client, world, role):
    client.force_login(world[role])

    home = client.get("/").content.decode()
    users = client.get("/users/")

    assert ("Available credit: <strong>€ 5000.00</strong>" in home) == (role == "admin")
    assert ('href="/users/"' in home) == (role == "admin")
    assert users.status_code == (200 if role == "admin" else 403)
    if role == "admin":
        page = users.content.decode()
        assert "fern-buyer" in page and "fern-admin" in page and "partner admin" in page


def test_a_partner_admin_sees_only_their_own_companys_users(client, world, other_partner_user):
    other_partner_user.membership.role = "admin"
    other_partner_user.membership.save(update_fields=["role"])
    client.force_login(other_partner_user)

    page = client.get("/users/").content.decode()

    assert other_partner_user.username in page and "fern-buyer" not in page and "fern-admin" not in page


UPLOAD_PAGES = ("/upload/{id}/", "/upload/{id}/progress/", "/upload/{id}/report/")


@pytest.mark.parametrize("role", ["buyer", "admin"])
def test_a_buyer_sees_the_uploads_they_made_and_an_admin_the_companys(client, world, role):
    # An upload's report names the orders it placed, so it is scoped as they are.
    me, colleague = (world["buyer"], world["admin"]) if role == "buyer" else (world["admin"], world["buyer"])
    uploads = {
        who: CsvUpload.objects.create(
            partner=world["partner"],
            uploaded_by=user,
            filename=f"{who}-SECRET.csv",
            content_hash=who,
            content="sku,quantity\n",
            status=CsvUpload.Status.DONE,
        )
        for who, user in (("mine", me), ("theirs", colleague))
    }
    client.force_login(me)

    listing = client.get("/upload/").content.decode()
    assert "mine-SECRET.csv" in listing
    assert ("theirs-SECRET.csv" in listing) == (role == "admin")
    for page in UPLOAD_PAGES:
        assert client.get(page.format(id=uploads["mine"].id)).status_code == 200
        assert client.get(page.format(id=uploads["theirs"].id)).status_code == (200 if role == "admin" else 404)
