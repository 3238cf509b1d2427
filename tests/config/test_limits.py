"""The shared limits are what the columns hold: a value within them always fits."""

from decimal import Decimal

from config.limits import CENT, MAX_PRICE, MAX_WHOLE_NUMBER
from inventory.models import Product
from partners.models import PartnerPrice


def test_the_largest_whole_number_is_postgresqls_integer():
    assert MAX_WHOLE_NUMBER == 2**31 - 1


def test_the_price_cap_and_the_cent_are_the_price_columns_precision():
    for field in (Product._meta.get_field("list_price"), PartnerPrice._meta.get_field("unit_price")):
        whole_digits = field.max_digits - field.decimal_places
        assert MAX_PRICE == Decimal(10) ** whole_digits - Decimal(1).scaleb(-field.decimal_places)
        assert CENT == Decimal(1).scaleb(-field.decimal_places)
