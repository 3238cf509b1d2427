"""A ship-to must be the ordering partner's own: the rule intake, the cart's checkout
and CSV upload share. It reads nothing, so these tests need no database."""

import pytest

from partners.exceptions import InvalidShipToError
from partners.models import ShipToAddress
from partners.ship_tos import partner_ship_to_id

OWN = (7, 12)  # FERN's addresses, the default first
LABELS = {"garden centre": 7, "market stall": 12}


@pytest.mark.parametrize("ship_to", [12, "12", " 12 ", ShipToAddress(id=12, label="Market stall")])
def test_an_own_address_by_id_or_as_an_address_is_its_id(ship_to):
    assert partner_ship_to_id(ship_to=ship_to, partner_code="FERN", ship_to_ids=OWN) == 12


@pytest.mark.parametrize("ship_to", [None, ""])
def test_naming_none_leaves_the_default_to_the_caller(ship_to):
    assert partner_ship_to_id(ship_to=ship_to, partner_code="FERN", ship_to_ids=OWN) is None


@pytest.mark.parametrize("ship_to", ["Market stall", "MARKET STALL", "12"])
def test_with_labels_a_label_in_any_case_names_the_address_too(ship_to):
    assert partner_ship_to_id(ship_to=ship_to, partner_code="FERN", ship_to_ids=set(OWN), ids_by_label=LABELS) == 12


@pytest.mark.parametrize("ship_to", [99, "99", True, "Market stall", "+12", "012", 12.0, ShipToAddress(id=99)])
def test_another_partners_address_or_no_address_is_refused_naming_it(ship_to):
    with pytest.raises(InvalidShipToError) as refused:
        partner_ship_to_id(ship_to=ship_to, partner_code="FERN", ship_to_ids=OWN)

    named = ship_to.id if isinstance(ship_to, ShipToAddress) else ship_to
    detail = f"ship_to {named} is not one of FERN's addresses."
    assert (refused.value.code, refused.value.message) == ("invalid_ship_to", detail)
    assert refused.value.errors == [{"field": "ship_to", "code": "invalid_ship_to", "detail": detail}]


def test_where_labels_are_taken_the_refusal_says_so():
    with pytest.raises(InvalidShipToError) as refused:
        partner_ship_to_id(ship_to="Ivy's shop", partner_code="FERN", ship_to_ids=set(OWN), ids_by_label=LABELS)

    assert refused.value.message == "ship_to Ivy's shop is not one of FERN's addresses (give its id or label)."
