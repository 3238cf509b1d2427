"""A pre-book from a CSV file on the campaign page: one pre-book per file, all or
nothing, every bad row named by its line in the file, the file itself refused when it
cannot be read, and the same file twice recognised by its content."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from orders.models import Prebook
from partners.factories import PartnerFactory, ShipToAddressFactory
from portal.campaign_text import moment_text
from tests.support.campaigns import prebook
from uploads.prebook_files import PREBOOK_FILE_MAX_ROWS

pytestmark = pytest.mark.django_db

UPLOAD = "/campaigns/VDAY/upload/"


def upload(portal, content: str | bytes, name="prebook.csv", follow=False):
    raw = content.encode() if isinstance(content, str) else content
    return portal.post(UPLOAD, {"file": SimpleUploadedFile(name, raw, content_type="text/csv")}, follow=follow)


def problems_of(response) -> list[str]:
    """The rows of the page's table of problems, as "line | sku | problem"."""
    page = response.content.decode()
    if 'id="prebook-file-problems"' not in page:
        return []
    table = page[page.index('id="prebook-file-problems"') :]
    table = table[: table.index("</tbody>")]
    return [" | ".join(re.findall(r"<td[^>]*>([^<]*)</td>", row)) for row in table.split("<tr>")[2:]]


def test_a_file_becomes_one_prebook_in_units(portal, rose_campaign, ship_tos, buyer):
    response = upload(portal, "sku,quantity,ship_to\nROSE-RED,100,Market stall\nTULIP-YEL,150,market stall\n")

    made = Prebook.objects.get()
    assert response.status_code == 302 and response["Location"] == "/campaigns/VDAY/"
    assert [(line.product.sku, line.quantity) for line in made.lines.order_by("id")] == [
        ("ROSE-RED", 100),
        ("TULIP-YEL", 150),
    ]
    assert (made.source, made.ship_to, made.placed_by) == ("csv", ship_tos[1], buyer)
    assert f"Pre-book #{made.id} placed from prebook.csv: 2 lines." in portal.get("/campaigns/VDAY/").content.decode()


def test_without_a_ship_to_column_the_default_address_is_used(portal, rose_campaign, ship_tos):
    upload(portal, "sku,quantity\nROSE-RED,100\n")

    assert Prebook.objects.get().ship_to == ship_tos[0]


def test_a_ship_to_may_be_named_by_its_id(portal, rose_campaign, ship_tos):
    upload(portal, f"sku;quantity;ship_to\nROSE-RED;100;{ship_tos[1].id}\n")

    assert Prebook.objects.get().ship_to == ship_tos[1]


def test_the_same_file_twice_is_one_prebook(portal, rose_campaign, ship_tos):
    upload(portal, "sku,quantity\nROSE-RED,100\n")

    again = upload(portal, "sku,quantity\nROSE-RED,100\n", name="again.csv", follow=True)

    made = Prebook.objects.get()
    assert f"again.csv was uploaded before: it is pre-book #{made.id}, unchanged." in again.content.decode()


def test_the_same_file_after_its_prebook_was_withdrawn_says_so(portal, rose_campaign, ship_tos):
    upload(portal, "sku,quantity\nROSE-RED,100\n")
    made = Prebook.objects.get()
    portal.post(f"/campaigns/VDAY/prebooks/{made.id}/withdraw/")

    again = upload(portal, "sku,quantity\nROSE-RED,100\n", follow=True)

    assert Prebook.objects.count() == 1
    assert "since withdrawn; change the file to pre-book again." in again.content.decode()


def test_every_bad_row_is_named_by_its_line_and_nothing_is_prebooked(portal, rose_campaign, products, ship_tos):
    content = (
        "sku,quantity\n"
        "ROSE-RED,100\n"  # 2: good
        "NOPE-1,10\n"  # 3: unknown
        "FERN-LEAF,20\n"  # 4: not in the campaign
        "TULIP-YEL,120\n"  # 5: off the case pack
        "ROSE-RED,20\n"  # 6: twice
        "TULIP-YEL,lots\n"  # 7: twice, and no number
        "\n"
        "ROSE-RED\n"  # 9: a column short
    )
    response = upload(portal, content)

    assert response.status_code == 422
    assert "prebook.csv: nothing was pre-booked; 6 problems below." in response.content.decode()
    assert problems_of(response) == [
        "3 | NOPE-1 | Line 3: NOPE-1 is not in the catalogue.",
        "4 | FERN-LEAF | Line 4: FERN-LEAF is not a product of campaign VDAY.",
        "5 | TULIP-YEL | Line 5: TULIP-YEL comes in cases of 50; 120 is not a multiple of 50.",
        "6 | ROSE-RED | Line 6: ROSE-RED is already on line 2; put it on one line.",
        "7 | TULIP-YEL | Line 7: TULIP-YEL is already on line 5; put it on one line.",
        "9 | — | Line 9: has 1 values; the header has 2 columns (sku, quantity).",
    ]
    assert not Prebook.objects.exists()


def test_a_quantity_that_is_no_number_is_named(portal, rose_campaign, ship_tos):
    response = upload(portal, "sku,quantity\nROSE-RED,ten\n")

    assert problems_of(response) == [
        "2 | ROSE-RED | Line 2: quantity for ROSE-RED must be a whole number from 1 to 1000000."
    ]
    assert not Prebook.objects.exists()


def test_past_the_cap_names_the_row_and_what_is_left(portal, rose_campaign, account_buyer, ship_tos):
    prebook(rose_campaign, account_buyer, {"ROSE-RED": 150})

    response = upload(portal, "sku,quantity\nTULIP-YEL,100\nROSE-RED,60\n")

    assert response.status_code == 422
    assert problems_of(response) == [
        "3 | ROSE-RED | Line 3: ROSE-RED is capped at 200 per partner in campaign VDAY; FERN has 150 pre-booked, "
        "so 50 are left."
    ]
    assert Prebook.objects.count() == 1


def test_addresses_not_the_partners_or_not_the_same_are_named(portal, rose_campaign, ship_tos, warehouses):
    foreign = ShipToAddressFactory(partner=PartnerFactory(code="IVY", home_warehouse=warehouses["AMS"]))

    response = upload(
        portal,
        f"sku,quantity,ship_to\nROSE-RED,100,Garden centre\nTULIP-YEL,100,Market stall\nFERN-LEAF,20,{foreign.id}\n",
    )

    assert problems_of(response) == [
        "3 | TULIP-YEL | Line 3: ship_to Market stall is not the address of line 2 (Garden centre): a file is one "
        "pre-book for one address; upload a file per address.",
        f"4 | FERN-LEAF | Line 4: ship_to {foreign.id} is not one of FERN&#x27;s addresses (give its id or label).",
        "4 | FERN-LEAF | Line 4: FERN-LEAF is not a product of campaign VDAY.",
    ]
    assert not Prebook.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "The submitted file is empty.", id="no bytes"),
        pytest.param(
            b"\n\n", "The file is empty: it needs a header (sku,quantity) and at least one pre-book line.", id="blank"
        ),
        pytest.param(b"sku,quantity\n", "The file has a header but no pre-book lines.", id="header only"),
        pytest.param(
            b"sku,qty\nROSE-RED,100\n",
            "The header (line 1) lacks the column quantity; unknown column qty in the header (line 1). "
            "Expected columns: sku, quantity, and optionally ship_to.",
            id="wrong columns",
        ),
        pytest.param(
            b"sku,quantity,po_number\nROSE-RED,100,PO-1\n",
            "Unknown column po_number in the header (line 1). Expected columns: sku, quantity, and optionally ship_to.",
            id="an order file's column",
        ),
        pytest.param(b"sku,quantity\nROS\xc9-RED,100\n", "save it as CSV UTF-8.", id="latin-1"),
        pytest.param(
            ("sku,quantity\n" + "ROSE-RED,10\n" * (PREBOOK_FILE_MAX_ROWS + 1)).encode(),
            f"The file has more than {PREBOOK_FILE_MAX_ROWS} rows",
            id="over the row limit",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(portal, rose_campaign, ship_tos, content, message):
    response = upload(portal, content)

    assert response.status_code == 400
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not Prebook.objects.exists()


def test_a_file_at_the_row_limit_is_read(portal, rose_campaign, ship_tos):
    content = "sku,quantity\n" + "ROSE-RED,10\n" * PREBOOK_FILE_MAX_ROWS

    response = upload(portal, content)

    # Read, and then each repeated row named: the limit did not refuse it.
    assert response.status_code == 422 and len(problems_of(response)) == PREBOOK_FILE_MAX_ROWS - 1


def test_no_file_is_refused(portal, rose_campaign):
    response = portal.post(UPLOAD, {})

    assert response.status_code == 400 and "This field is required." in response.content.decode()


def test_one_second_after_the_window_closes_a_file_is_refused(portal, rose_campaign, ship_tos):
    with time_machine.travel(rose_campaign.closes_at + timedelta(seconds=1), tick=False):
        response = upload(portal, "sku,quantity\nROSE-RED,100\n")

    assert response.status_code == 422
    assert f"Pre-booking for VDAY closed {moment_text(rose_campaign.closes_at)}; nothing was changed." in (
        response.content.decode()
    )
    assert not Prebook.objects.exists()


def test_a_closed_window_is_said_before_the_rows(portal, rose_campaign, ship_tos):
    with time_machine.travel(rose_campaign.closes_at + timedelta(seconds=1), tick=False):
        response = upload(portal, "sku,quantity\nNOPE,100\n")

    assert "Pre-booking for VDAY closed" in response.content.decode() and problems_of(response) == []
