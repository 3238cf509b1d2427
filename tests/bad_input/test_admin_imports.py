"""Bad files through the back office's imports (django-import-export): stock levels,
products and partner prices. The preview names each bad row and column (or what is
wrong with the file), offers no confirm button, and writes nothing."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from config.admin import describe_row_problems
from tests.support.bad_input import FIFTY_MEGABYTES, nothing_changes

pytestmark = pytest.mark.django_db

STOCK = "sku,warehouse,on_hand,version\n"
PRODUCTS = "sku,name,category,unit,case_pack,min_order_qty,list_price,active\n"
PRICES = "partner,sku,min_quantity,unit_price\n"
NOT_UTF8 = "The file is not UTF-8 text ("


def preview(world, model: str, raw: bytes):
    """Upload the file to the model's import page (CSV) and return the preview."""
    return world.back_office.post(
        f"/admin/{model.replace('.', '/')}/import/",
        {
            "format": "0",
            "resource": "0",
            "import_file": SimpleUploadedFile("file.csv", raw, content_type="text/csv"),
        },
    )


def what_it_says(response) -> str:
    """The file's error and every refused row ('row N: column: reason'), as shown."""
    said = [str(e) for e in response.context["form"].errors.get("import_file", [])]
    if response.context.get("result") is not None:
        said.extend(describe_row_problems(response.context["result"], limit=100))
    return "\n".join(said)


@pytest.mark.parametrize(
    ("model", "raw", "message"),
    [
        pytest.param(
            "inventory.stock", f"{STOCK}NOPE-1,AMS,5,0\n", "row 1: sku: Unknown SKU NOPE-1.", id="stock: unknown SKU"
        ),
        pytest.param(
            "inventory.stock",
            f"{STOCK}ROSE-RED,NOWHERE,5,0\n",
            "row 1: warehouse: Unknown warehouse NOWHERE.",
            id="stock: unknown warehouse",
        ),
        pytest.param(
            "inventory.stock",
            f"{STOCK}ROSE-RED,AMS,-5,1\n",
            "row 1: on_hand: on_hand -5 for ROSE-RED@AMS must be at least 0.",
            id="stock: negative on_hand",
        ),
        pytest.param(
            "inventory.stock",
            f"{STOCK}ROSE-RED,AMS,2.5,1\n",
            "row 1: on_hand: on_hand '2.5' for ROSE-RED@AMS is not a whole number.",
            id="stock: fractional on_hand",
        ),
        pytest.param(
            "inventory.stock",
            f"{STOCK}ROSE-RED,AMS,lots,1\n",
            "row 1: on_hand: on_hand 'lots' for ROSE-RED@AMS is not a whole number.",
            id="stock: on_hand in words",
        ),
        pytest.param(
            "inventory.stock",
            f"{STOCK}ROSE-RED,AMS,5,7\n",
            "row 1: version: Stock ROSE-RED@AMS was changed by someone else",
            id="stock: stale version",
        ),
        pytest.param(
            "inventory.stock",
            f"{STOCK}ROSE-RED,AMS,5,1\nROSE-RED,AMS,6,1\n",
            "row 2: sku: ROSE-RED@AMS appears again (first on row 1)",
            id="stock: a row twice",
        ),
        pytest.param(
            "inventory.stock",
            "sku,warehouse,on_hand\nROSE-RED,AMS,5\n",
            "The file lacks the column(s) version",
            id="stock: missing column",
        ),
        pytest.param(
            "inventory.product",
            f"{PRODUCTS}NEW-1,New rose,roses,stem,0,0,1.50,1\n",
            "row 1: case_pack: case_pack must be a whole number of at least 1.",
            id="product: case pack 0",
        ),
        pytest.param(
            "inventory.product",
            f"{PRODUCTS}NEW-1,New rose,roses,stem,10,-1,1.50,1\n",
            "row 1: min_order_qty: min_order_qty must be a whole number of at least 0.",
            id="product: negative minimum",
        ),
        pytest.param(
            "inventory.product",
            f"{PRODUCTS}NEW-1,New rose,roses,stem,10,0,abc,1\n",
            "row 1: list_price: list_price 'abc' cannot be read",
            id="product: price in words",
        ),
        pytest.param(
            "inventory.product",
            f"{PRODUCTS}ROSE-RED,,roses,stem,10,0,0.80,1\n",
            "row 1: name: name must be 1 to 200 characters.",
            id="product: no name",
        ),
        pytest.param(
            "partners.partnerprice",
            f"{PRICES}NOBODY,ROSE-RED,1,0.70\n",
            "row 1: Unknown partner 'NOBODY'.",
            id="price: unknown partner",
        ),
        pytest.param(
            "partners.partnerprice",
            f"{PRICES}FERN,NOPE-1,1,0.70\n",
            "row 1: Unknown product 'NOPE-1'.",
            id="price: unknown SKU",
        ),
        pytest.param(
            "partners.partnerprice",
            f"{PRICES}FERN,ROSE-RED,1,-0.70\n",
            "row 1: unit_price: unit_price must be an amount from 0",
            id="price: negative",
        ),
        pytest.param(
            "partners.partnerprice",
            f"{PRICES}FERN,ROSE-RED,0,0.70\n",
            "row 1: min_quantity: min_quantity must be a whole number of at least 1.",
            id="price: break from 0",
        ),
    ],
)
def test_a_bad_row_is_named_with_its_column_and_nothing_is_imported(world, model, raw, message):
    with nothing_changes():
        response = preview(world, model, raw.encode())

    assert response.status_code == 200 and response.context.get("confirm_form") is None
    assert message in what_it_says(response)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(
            f"{STOCK}ROSE-RED,AMS,5,1\nRÖSE,AMS,5,0\n".encode("latin-1"),
            f"{NOT_UTF8}byte 0xd6 at position",
            id="latin-1",
        ),
        pytest.param(
            f"{STOCK}ROSE-RED,AMS,5,1\n“ROSE”,AMS,5,0\n".encode("cp1252"),
            f"{NOT_UTF8}byte 0x93 at position",
            id="cp1252",
        ),
        pytest.param(
            f"{STOCK}ROSE-RED,AMS,5,1\n".encode("utf-16"),
            'The file is UTF-16 ("Unicode text"), not UTF-8. Save it as "CSV UTF-8"',
            id="UTF-16 with BOM",
        ),
        pytest.param(
            f"{STOCK}ROSE-RED,AMS,5,1\n".encode("utf-16-le"),
            'The file is UTF-16 ("Unicode text"), not UTF-8. Save it as "CSV UTF-8"',
            id="UTF-16 without BOM",
        ),
        pytest.param(
            f"{STOCK}ROSE\x00RED,AMS,5,1\n".encode(),
            "Line 2 has a NUL byte, which text never has. Save it as",
            id="NUL byte",
        ),
        pytest.param(b"", "The submitted file is empty.", id="empty file"),
        pytest.param(STOCK.encode(), "No valid data to import.", id="header only"),
        pytest.param(
            lambda: STOCK.encode() + b"ROSE-RED,AMS,5,1\n" * (FIFTY_MEGABYTES // 17 + 1),
            "The upload is 50.0 MB; a file may be at most 10.0 MB. Split it into smaller files. Nothing was stored.",
            id="50 MB",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_saying_why(world, raw, message):
    raw = raw() if callable(raw) else raw

    with nothing_changes():
        response = preview(world, "inventory.stock", raw)

    assert response.context.get("confirm_form") is None
    assert message in what_it_says(response)
    assert escape(message) in re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize(
    ("raw", "rows"),
    [
        pytest.param(
            f"\ufeff{STOCK}ROSE-RED,AMS,5,1\r\nROSE-RED,RTM,6,1\r\n".encode(),
            [("ROSE-RED", "AMS", 5), ("ROSE-RED", "RTM", 6)],
            id="UTF-8 with BOM",
        ),
        pytest.param(
            f"{STOCK}ROSE-RED,AMS,5,1\r\nROSE-RED,RTM,6,1\rTULIP-YEL,RTM,7,1\n".encode(),
            [("ROSE-RED", "AMS", 5), ("ROSE-RED", "RTM", 6), ("TULIP-YEL", "RTM", 7)],
            id="mixed line endings",
        ),
    ],
)
def test_an_awkward_but_good_file_is_previewed_right(world, raw, rows):
    with nothing_changes():
        response = preview(world, "inventory.stock", raw)

    assert response.context["confirm_form"] is not None
    assert [
        (r.instance.product.sku, r.instance.warehouse.code, r.instance.on_hand) for r in response.context["result"].rows
    ] == rows


def test_a_thousand_bad_stock_rows_are_each_named_in_the_preview(world):
    # A thousand, as docs/DESIGN.md section 6 says: the preview costs some queries a row, and
    # the 10,000-row files are the order importer's (test_csv_files.py).
    raw = (STOCK + "".join(f"MISSING-{n},AMS,5,0\n" for n in range(1_000))).encode()

    with nothing_changes():
        response = preview(world, "inventory.stock", raw)

    problems = describe_row_problems(response.context["result"], limit=1_000)
    assert response.context.get("confirm_form") is None
    assert problems == [f"row {n + 1}: sku: Unknown SKU MISSING-{n}." for n in range(1_000)]
    assert "Unknown SKU MISSING-999." in response.content.decode()
