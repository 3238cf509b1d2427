"""A new campaign's code names it in addresses and order keys, so save_campaign keeps
it to letters, digits, '-' and '_', and names the field when it does not."""

import pytest

from orders.campaigns import save_campaign
from orders.exceptions import InvalidCampaignError
from orders.models import Campaign
from tests.support.campaigns import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def roses(warehouses, make_product):
    return make_product("ROSE-RED", case_pack=25, stock={warehouses["AMS"]: 100})


@pytest.mark.parametrize("code", ["V DAY", "VDAY/2027", "", "A" * 21, "VDÄY"])
def test_a_code_unfit_for_an_address_is_refused_naming_the_field(roses, code):
    with pytest.raises(InvalidCampaignError) as refused:
        make_campaign(code, skus=["ROSE-RED"])

    assert {"field": "code", "code": "invalid_campaign_code"}.items() <= refused.value.errors[0].items()
    assert not Campaign.objects.exists()


def test_letters_digits_dashes_and_underscores_make_a_code(roses):
    campaign = make_campaign("VDAY_2027-nl", skus=["ROSE-RED"])

    again, created = save_campaign(
        code=campaign.code, name="Renamed", delivery_date=campaign.delivery_date, opens_at=campaign.opens_at,
        closes_at=campaign.closes_at, products=[{"sku": "ROSE-RED"}],
    )  # fmt: skip

    assert not created and again.name == "Renamed"
