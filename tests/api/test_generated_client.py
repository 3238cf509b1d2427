"""An ERP integration written against a client generated from the live schema, as an
integrator would write it: openapi-python-client with --fail-on-warning, then only the
generated functions and models, no hand-written request, header or parser. It places,
follows and cancels orders, reads the event feed with its cursor and syncs stock with
a version. Where the schema is vague the generated client degrades (no model for an
answer, `Unset` for a field always there, the wrong auth prefix) and this test fails."""

import datetime
import importlib
import json
import subprocess
import sys
import time
import uuid

import httpx
import pytest
from rest_framework.test import APIClient

from config.wsgi import application
from tests.support.journey import drive_journey

pytestmark = pytest.mark.slow

PACKAGE = "bouquet_erp_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The client package, generated from the schema as served, and imported."""
    folder = tmp_path_factory.mktemp("client")
    schema_file = folder / "schema.json"
    schema_file.write_text(json.dumps(APIClient().get("/api/schema/", {"format": "json"}).json()))
    config = folder / "config.json"
    # No post hooks: the generated code is imported, not formatted.
    config.write_text(json.dumps({"package_name_override": PACKAGE, "post_hooks": []}))
    run = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(schema_file), "--meta", "none",
         "--config", str(config), "--fail-on-warning", "--output-path", str(folder / PACKAGE)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def api(generated, name: str):
    return importlib.import_module(f"{PACKAGE}.api.v1.{name}")


def models(generated):
    return importlib.import_module(f"{PACKAGE}.models")


def client_for(generated, token: str):
    """The generated client as its README says to make one: a token, nothing else."""
    return generated.AuthenticatedClient(
        base_url="http://testserver", token=token, httpx_args={"transport": httpx.WSGITransport(app=application)}
    )


def parsed(answer, status: int):
    """The generated client's model of an answer, which must be there: a documented
    answer without a schema comes back as None, and this fails."""
    assert answer.status_code == status, (answer.status_code, answer.content[:300])
    assert answer.parsed is not None, f"no model for the {status} answer"
    assert type(answer.parsed).__name__ != "ErrorOutput" or status >= 400
    return answer.parsed


def always_there(model, *names: str) -> None:
    """Fields the server always sends come typed, not as `Unset`."""
    unset = importlib.import_module(f"{PACKAGE}.types").Unset
    missing = [name for name in names if isinstance(getattr(model, name), unset)]
    assert not missing, f"{type(model).__name__}: {missing} are Unset"


def orderable(generated, partner) -> tuple[str, int]:
    """A SKU in stock and a quantity it can be ordered in, read from the catalogue pages."""
    page_number = 1
    while page_number is not None:
        page = parsed(api(generated, "v1_products_list").sync_detailed(client=partner, page=page_number), 200)
        for product in page.results:
            quantity = max(product.case_pack, -(-product.min_order_qty // product.case_pack) * product.case_pack)
            if product.available >= 4 * quantity:
                return product.sku, quantity
        page_number = page.next_page
    raise AssertionError("no product of the demo catalogue is in stock")


def place(generated, partner, sku: str, quantity: int, key: str):
    body = models(generated).PlaceOrderInput(
        po_number=f"PO-{key[:8]}", lines=[models(generated).PlaceOrderLineInput(sku=sku, quantity=quantity)]
    )
    return api(generated, "v1_orders_create").sync_detailed(client=partner, body=body, idempotency_key=key)


def test_an_integration_through_the_generated_client_alone(transactional_db, generated, demo_tokens):
    """Committed for real: the feed serves an event once its transaction has ended."""
    partner = client_for(generated, demo_tokens["partner"])
    sku, quantity = orderable(generated, partner)

    # Place an order, and replay it: the same order, the first answer.
    key = f"erp-{uuid.uuid4()}"
    accepted = parsed(place(generated, partner, sku, quantity, key), 202)
    always_there(accepted, "number", "status", "po_number", "currency", "ship_to", "created_at")
    assert str(accepted.status) == "CREATED" and accepted.lines[0].sku == sku
    replay = place(generated, partner, sku, quantity, key)
    assert parsed(replay, 202).number == accepted.number
    assert replay.headers["Idempotent-Replayed"] == "true"

    # Follow it through the journey (the workers' steps, run inline) to CONFIRMED.
    drive_journey()
    followed = parsed(api(generated, "v1_orders_retrieve").sync_detailed(accepted.number, client=partner), 200)
    always_there(followed, "status", "po_number", "currency", "hold", "cancel_reason", "cancel_detail")
    assert str(followed.status) == "CONFIRMED"
    assert followed.ship_to.id == accepted.ship_to.id and followed.created_at == accepted.created_at
    assert followed.payment.status

    # Cancel a second order before the journey takes it.
    second = parsed(place(generated, partner, sku, quantity, f"erp-{uuid.uuid4()}"), 202)
    cancel = models(generated).CancelOrderInput(reason="PO withdrawn by the buyer")
    cancelled = parsed(
        api(generated, "v1_orders_cancel_create").sync_detailed(second.number, client=partner, body=cancel), 200
    )
    assert str(cancelled.status) == "CANCELLED" and cancelled.cancel_detail == "PO withdrawn by the buyer"

    # The event feed, page by page with its cursor, holds both orders' journeys. It
    # serves an event once every older transaction on the server has ended (another
    # test's open transaction, under xdist), so an integrator polls from its cursor.
    seen: dict[str, list[str]] = {}
    after, deadline = 0, time.monotonic() + 60

    def both_journeys_seen() -> bool:
        return seen.get(accepted.number, [""])[-1] == "CONFIRMED" and seen.get(second.number, [""])[-1] == "CANCELLED"

    while not both_journeys_seen() and time.monotonic() < deadline:
        page = parsed(api(generated, "v1_events_retrieve").sync_detailed(client=partner, after=after, limit=50), 200)
        for event in page.results:
            seen.setdefault(event.order, []).append(str(event.to_status))
        after = page.next_after
        if not page.has_more:
            time.sleep(0.2)
    assert both_journeys_seen(), seen

    # The orders changed since a moment, and the watermark for the next sync.
    listing = api(generated, "v1_orders_list").sync_detailed(client=partner, updated_since=accepted.created_at)
    assert {accepted.number, second.number} <= {o.number for o in parsed(listing, 200).results}


def test_a_stock_sync_with_versions_through_the_generated_client(generated, demo_tokens):
    staff = client_for(generated, demo_tokens["staff"])
    # An undated row (lot ""): the stock PUT without a lot writes that lot.
    row = parsed(
        api(generated, "v1_stock_list").sync_detailed(client=staff, sku="SU-RIBBON-RED", page_size=1), 200
    ).results[0]
    update = api(generated, "v1_stock_update")
    stock_set = models(generated).StockSetInput

    written = parsed(
        update.sync_detailed(row.sku, row.warehouse, client=staff, body=stock_set(on_hand=row.on_hand + 10,
                                                                                 version=row.version)),
        200,
    )  # fmt: skip
    assert written.version == row.version + 1 and written.on_hand == row.on_hand + 10

    stale = update.sync_detailed(
        row.sku, row.warehouse, client=staff, body=stock_set(on_hand=row.on_hand, version=row.version)
    )
    conflict = parsed(stale, 409)
    assert conflict.code == "version_conflict" and conflict.current_version == written.version


def test_a_dated_lot_synced_through_the_generated_client(generated, demo_tokens):
    staff = client_for(generated, demo_tokens["staff"])
    row = parsed(api(generated, "v1_stock_list").sync_detailed(client=staff, page_size=1), 200).results[0]
    update = api(generated, "v1_stock_lots_update")
    lot_set = models(generated).StockLotSetInput

    created = parsed(
        update.sync_detailed(row.sku, row.warehouse, "GEN-LOT-1", client=staff, body=lot_set(
            on_hand=40, version=0, available_from=datetime.date(2027, 3, 1), expires_on=datetime.date(2027, 3, 9))),
        201,
    )  # fmt: skip
    assert (created.lot, created.expires_on, created.version) == ("GEN-LOT-1", datetime.date(2027, 3, 9), 1)

    cleared = parsed(
        update.sync_detailed(row.sku, row.warehouse, "GEN-LOT-1", client=staff,
                             body=lot_set(on_hand=40, version=1, expires_on=None)),
        200,
    )  # fmt: skip
    assert (cleared.available_from, cleared.expires_on) == (datetime.date(2027, 3, 1), None)

    refused = update.sync_detailed(
        row.sku, row.warehouse, "GEN-LOT-1", client=staff,
        body=lot_set(on_hand=40, version=2, expires_on=datetime.date(2027, 2, 1)),
    )  # fmt: skip
    assert parsed(refused, 422).code == "invalid_lot_dates"


def test_the_delivery_promise_and_a_route_change_through_the_generated_client(generated, demo_tokens):
    partner = client_for(generated, demo_tokens["partner"])
    staff = client_for(generated, demo_tokens["staff"])

    # The dates BLOOM's default address can get, each until a moment with its offset.
    promise = parsed(api(generated, "v1_delivery_options_retrieve").sync_detailed(client=partner, days=7), 200)
    always_there(promise, "ship_to", "route", "timezone", "options", "excluded")
    assert (promise.route, promise.timezone) == ("AMS-NL", "Europe/Amsterdam") and promise.options
    assert promise.options[0].order_by.utcoffset() is not None

    # Staff put the route as it is: the answer is the route, with its warehouse's zone.
    body = models(generated).RouteInput(
        name="Aalsmeer to the Netherlands",
        warehouse="AMS",
        delivery_weekdays=[1, 2, 3, 4, 5, 6],
        order_by_time="14:00",
        lead_days=1,
    )
    route = parsed(api(generated, "v1_routes_update").sync_detailed("AMS-NL", client=staff, body=body), 200)
    always_there(route, "code", "timezone", "delivery_weekdays", "order_by_time", "exceptions")
    assert (route.code, route.timezone, route.order_by_time) == ("AMS-NL", "Europe/Amsterdam", "14:00")


def test_a_campaign_pre_booked_and_previewed_through_the_generated_client(generated, demo_tokens):
    partner = client_for(generated, demo_tokens["partner"])
    staff = client_for(generated, demo_tokens["staff"])
    model = models(generated)

    # Staff set up a campaign; BLOOM reads it at its own price with the cap it has left.
    now = datetime.datetime.now(datetime.UTC)
    day = datetime.date.today() + datetime.timedelta(days=30)
    body = model.CampaignInput(
        name="Mother's Day",
        delivery_date=day + datetime.timedelta(days=1) if day.isoweekday() == 7 else day,  # the demo routes rest
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=7),
        products=[model.CampaignProductInput(sku="RO-NAOMI-50", cap_per_partner=1000)],
    )
    parsed(api(generated, "v1_campaigns_update").sync_detailed("GEN-MDAY", client=staff, body=body), 201)
    campaign = parsed(api(generated, "v1_campaigns_retrieve").sync_detailed("GEN-MDAY", client=partner), 200)
    always_there(campaign, "code", "opens_at", "closes_at", "prebooks_open", "allocated", "allocated_at", "products")
    (rose,) = campaign.products
    always_there(rose, "cap_per_partner", "price", "cap_left")
    assert rose.cap_left == 1000 and float(rose.price) < float(rose.list_price)

    # BLOOM pre-books, and a replay of its key answers the same pre-book.
    prebook = model.PrebookInput(lines=[model.PrebookLineInput(sku="RO-NAOMI-50", quantity=600)])
    create = api(generated, "v1_campaigns_prebooks_create")
    placed = parsed(create.sync_detailed("GEN-MDAY", client=partner, body=prebook, idempotency_key="mday-1"), 201)
    replay = create.sync_detailed("GEN-MDAY", client=partner, body=prebook, idempotency_key="mday-1")
    assert parsed(replay, 201).id == placed.id and replay.headers["Idempotent-Replayed"] == "true"

    # Staff preview the allocation; BLOOM's line stands as requested until a commit.
    preview = parsed(
        api(generated, "v1_campaigns_allocations_create").sync_detailed(
            "GEN-MDAY", client=staff, body=model.AllocationRunInput(dry_run=True)
        ),
        200,
    )
    always_there(preview, "run", "dry_run", "kind", "lines", "orders")
    assert preview.run is None and [line.prebook for line in preview.lines] == [placed.id]
    mine = parsed(api(generated, "v1_campaigns_prebooks_list").sync_detailed("GEN-MDAY", client=partner), 200)
    (line,) = mine.results[0].lines
    always_there(line, "quantity", "allocated", "waitlisted", "waitlist_position")
    assert (line.quantity, line.allocated, line.waitlist_position) == (600, 0, None)
