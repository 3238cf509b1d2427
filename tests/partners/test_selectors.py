"""Finding a partner by its code, as every door that names one does."""

import pytest

from partners.exceptions import PartnerNotFoundError
from partners.factories import PartnerFactory
from partners.selectors import get_partner_by_code

pytestmark = pytest.mark.django_db


def test_finds_the_partner_with_the_code():
    fern = PartnerFactory(code="FERN")

    assert get_partner_by_code(code="FERN") == fern


@pytest.mark.parametrize("code", ["NOPE", "fern", "FE\x00RN", ""])
def test_a_code_no_partner_has_is_not_found_naming_it(code):
    PartnerFactory(code="FERN")

    with pytest.raises(PartnerNotFoundError) as missing:
        get_partner_by_code(code=code)

    assert missing.value.code == "partner_not_found"
    assert missing.value.message == f"Partner {code} not found."
