"""Pre-books through the API: placed with an Idempotency-Key (a replay answers the same,
a reused key is refused), every bad input named with nothing written, caps counted per
partner naming what is left, and another partner's pre-book out of reach."""

import pytest

from orders.models import Prebook, PrebookLine
from partners.factories import ShipToAddressFactory
from tests.support.campaigns import prebook, ship_to_of, user_named

pytestmark = pytest.mark.django_db

PREBOOKS = "/api/v1/campaigns/VDAY/prebooks/"
ROSES = {"lines": [{"sku": "ROSE-RED", "quantity": 200}]}


def place(api, body, key="pb-1", path=PREBOOKS):
    return api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def nothing_written() -> bool:
    return not Prebook.objects.exists() and not PrebookLine.objects.exists()


def test_a_partner_pre_books_and_gets_201_with_the_pre_book(fern_api, vday, account_buyer):
    body = {"ship_to": ship_to_of(account_buyer).id, "lines": [{"sku": "ROSE-RED", "quantity": 200},
                                                             {"sku": "TULIP-Y", "quantity": 100}]}  # fmt: skip

    answer = place(fern_api, body)

    assert answer.status_code == 201, answer.json()
    prebook = Prebook.objects.get()
    assert answer["Location"] == f"/api/v1/campaigns/VDAY/prebooks/{prebook.id}/"
    assert "Idempotent-Replayed" not in answer
    assert (answer.json()["id"], answer.json()["partner"], answer.json()["ship_to"]) == (
        prebook.id,
        "FERN",
        ship_to_of(account_buyer).id,
    )
    assert [(line["sku"], line["quantity"], line["allocated"], line["waitlist_position"])
            for line in answer.json()["lines"]] == [("ROSE-RED", 200, 0, None), ("TULIP-Y", 100, 0, None)]  # fmt: skip
    assert (prebook.partner, prebook.source, prebook.idempotency_key) == (account_buyer, "api", "pb-1")


def test_a_replay_answers_the_same_and_places_nothing_new(fern_api, vday):
    first = place(fern_api, ROSES)
    again = place(fern_api, {"lines": [{"quantity": 200, "sku": "ROSE-RED"}]})

    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() and again["Location"] == first["Location"]
    assert Prebook.objects.count() == 1


def test_a_replay_after_a_withdrawal_answers_the_withdrawn_pre_book_and_places_nothing(fern_api, vday):
    first = place(fern_api, ROSES)
    fern_api.delete(first["Location"])

    again = place(fern_api, ROSES)

    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"] and again.json()["withdrawn_at"] is not None
    assert [(line["sku"], line["quantity"]) for line in again.json()["lines"]] == [("ROSE-RED", 200)]
    assert Prebook.objects.count() == 1


def test_a_key_reused_with_another_body_is_422_and_the_first_pre_book_stands(fern_api, vday):
    place(fern_api, ROSES)

    answer = place(fern_api, {"lines": [{"sku": "ROSE-RED", "quantity": 300}]})

    assert answer.status_code == 422 and answer.json()["code"] == "idempotency_key_reused"
    assert list(PrebookLine.objects.values_list("quantity", flat=True)) == [200]


@pytest.mark.parametrize(
    ("headers", "code"),
    [({}, "idempotency_key_required"), ({"HTTP_IDEMPOTENCY_KEY": " spaced "}, "invalid_idempotency_key")],
)
def test_a_pre_book_without_a_good_key_is_400_and_writes_nothing(fern_api, vday, headers, code):
    answer = fern_api.post(PREBOOKS, ROSES, format="json", **headers)

    assert answer.status_code == 400 and answer.json()["code"] == code
    assert nothing_written()


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ({"sku": "NO-SUCH", "quantity": 50}, "unknown_sku"),
        ({"sku": "ROSE-RED", "quantity": 60}, "not_case_pack_multiple"),
        ({"sku": "ROSE-RED", "quantity": 25}, "below_minimum"),
        ({"sku": "GERBERA", "quantity": 10}, "not_in_campaign"),
    ],
)
def test_a_bad_line_is_422_naming_the_line_and_sku_and_writes_nothing(fern_api, vday, line, code):
    answer = place(fern_api, {"lines": [{"sku": "TULIP-Y", "quantity": 50}, line]})

    assert answer.status_code == 422, answer.json()
    assert answer.json()["code"] == "invalid_prebook"
    assert [(e["line"], e["sku"], e["code"]) for e in answer.json()["errors"]] == [(2, line["sku"], code)]
    assert line["sku"] in answer.json()["detail"]
    assert nothing_written()


def test_another_partners_ship_to_is_422_naming_ship_to(fern_api, vday, rosa):
    answer = place(fern_api, {**ROSES, "ship_to": ship_to_of(rosa).id})

    assert answer.status_code == 422 and answer.json()["code"] == "invalid_prebook"
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [("ship_to", "invalid_ship_to")]
    assert nothing_written()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": [{"sku": "ROSE-RED", "quantity": "200"}]}, "lines.0.quantity"),
        ({"lines": []}, "lines"),
        ({"lines": [{"sku": "ROSE-RED", "quantity": 200, "colour": "red"}]}, "lines.0.colour"),
        ({**ROSES, "ship_to": "1"}, "ship_to"),
        ({**ROSES, "notes": "by the back door"}, "notes"),
    ],
)
def test_a_body_that_breaks_the_schema_is_400_naming_the_field(fern_api, vday, body, field):
    answer = place(fern_api, body)

    assert answer.status_code == 400, answer.json()
    assert field in [e["field"] for e in answer.json()["errors"]]
    assert nothing_written()


def test_malformed_json_is_400_and_writes_nothing(fern_api, vday):
    answer = fern_api.post(PREBOOKS, data="{not json", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")

    assert answer.status_code == 400 and answer.json()["code"] == "malformed_json"
    assert nothing_written()


def test_an_unknown_campaign_is_404(fern_api, vday):
    answer = place(fern_api, ROSES, path="/api/v1/campaigns/EASTER/prebooks/")

    assert answer.status_code == 404 and answer.json()["code"] == "campaign_not_found"
    assert nothing_written()


def test_one_stem_past_the_cap_is_refused_naming_what_is_left(fern_api, vday, account_buyer):
    prebook(vday, account_buyer, {"SPRAY-ROSE": 60})

    refused = place(fern_api, {"lines": [{"sku": "SPRAY-ROSE", "quantity": 41}]})
    accepted = place(fern_api, {"lines": [{"sku": "SPRAY-ROSE", "quantity": 40}]}, key="pb-2")

    assert refused.status_code == 422 and refused.json()["code"] == "prebook_cap_exceeded"
    assert [(e["sku"], e["cap"], e["left"]) for e in refused.json()["errors"]] == [("SPRAY-ROSE", 100, 40)]
    assert "40 are left" in refused.json()["detail"]
    assert accepted.status_code == 201, accepted.json()
    assert sorted(PrebookLine.objects.values_list("quantity", flat=True)) == [40, 60]


def test_the_cap_counts_the_partners_pre_books_across_its_ship_tos(fern_api, vday, account_buyer):
    second = ShipToAddressFactory(partner=account_buyer, label="Market stall")
    place(fern_api, {"ship_to": ship_to_of(account_buyer).id, "lines": [{"sku": "ROSE-RED", "quantity": 500}]})

    answer = place(fern_api, {"ship_to": second.id, "lines": [{"sku": "ROSE-RED", "quantity": 125}]}, key="pb-2")

    assert answer.status_code == 422 and answer.json()["errors"][0]["left"] == 100


def test_staff_pre_book_for_the_partner_they_name(staff_api, vday, account_buyer):
    answer = place(staff_api, {**ROSES, "partner": "FERN"})

    assert answer.status_code == 201, answer.json()
    assert Prebook.objects.get().partner == account_buyer


@pytest.mark.parametrize(
    ("caller", "body", "code"),
    [
        ("staff_api", ROSES, "partner_required"),
        ("staff_api", {**ROSES, "partner": "NOPE"}, "partner_not_found"),
        ("fern_api", {**ROSES, "partner": "ROSA"}, "not_allowed"),
    ],
)
def test_a_partner_named_wrongly_is_422_naming_partner(request, vday, rosa, caller, body, code):
    answer = place(request.getfixturevalue(caller), body)

    assert answer.status_code == 422 and answer.json()["code"] == code
    assert [e["field"] for e in answer.json()["errors"]] == ["partner"]
    assert nothing_written()


def test_a_partner_reads_its_own_pre_books_and_staff_all_or_one_partners(fern_api, rosa_api, staff_api, vday,
                                                                         account_buyer, rosa):  # fmt: skip
    mine = prebook(vday, account_buyer, {"ROSE-RED": 100}, user=user_named("fern"))
    theirs = prebook(vday, rosa, {"ROSE-RED": 200}, user=user_named("rosa"))

    def ids(api, **query):
        answer = api.get(PREBOOKS, query)
        assert answer.status_code == 200, answer.json()
        return [p["id"] for p in answer.json()["results"]]

    colleagues = prebook(vday, account_buyer, {"ROSE-RED": 100})  # placed by another of FERN's users

    assert ids(fern_api) == [mine.id]  # a buyer sees their own, as with orders (partners.roles)
    assert ids(rosa_api) == [theirs.id]
    assert ids(staff_api) == [mine.id, theirs.id, colleagues.id]
    assert ids(staff_api, partner="ROSA") == [theirs.id]


def test_another_partners_pre_book_is_404_to_read_change_and_withdraw(rosa_api, vday, account_buyer):
    theirs = prebook(vday, account_buyer, {"ROSE-RED": 100})
    path = f"{PREBOOKS}{theirs.id}/"

    answers = [
        rosa_api.get(path),
        rosa_api.put(path, {"lines": [{"sku": "ROSE-RED", "quantity": 50}]}, format="json"),
        rosa_api.delete(path),
    ]

    assert [(a.status_code, a.json()["code"]) for a in answers] == [(404, "prebook_not_found")] * 3
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None and list(theirs.lines.values_list("quantity", flat=True)) == [100]


@pytest.mark.parametrize("prebook_id", ["abc", "0", "99999999999999999999"])
def test_a_path_id_that_is_no_pre_book_id_is_404(fern_api, vday, prebook_id):
    answer = fern_api.get(f"{PREBOOKS}{prebook_id}/")

    assert answer.status_code == 404 and answer.json()["code"] == "prebook_not_found"
