"""Formulas in text users supply (a product name imported in the back office, a PO
number sent through the API, a partner's name, a ship-to label) never come out of a
CSV or XLSX file we write as a formula a spreadsheet would run: the back office's
exports and the portal's sample CSV. (The portal's upload report is a page, not a file.)"""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from config.spreadsheets import FORMULA_START, PLAIN_NUMBER
from inventory.models import Product

pytestmark = pytest.mark.django_db

FORMULAS = [
    pytest.param("=cmd|' /C calc'!A0", id="=cmd"),
    pytest.param("+1+1", id="+1+1"),
    pytest.param("-2+3", id="-2+3"),
    pytest.param("@SUM(A1)", id="@SUM"),
]
CSV, XLSX = "0", "1"


def product_named(world, text: str) -> None:
    """Import a product called `text` through the back office's product import."""
    raw = f'sku,name,category,unit,case_pack,min_order_qty,list_price,active\nNEW-1,"{text}",roses,stem,10,0,1.50,1\n'
    preview = world.back_office.post(
        "/admin/inventory/product/import/",
        {
            "format": CSV,
            "resource": "0",
            "import_file": SimpleUploadedFile("products.csv", raw.encode(), content_type="text/csv"),
        },
    )
    form = preview.context["confirm_form"]
    world.back_office.post(
        "/admin/inventory/product/process_import/", {name: form[name].value() for name in form.fields}
    )
    assert Product.objects.get(sku="NEW-1").name == text


def order_with_po(world, text: str) -> None:
    answer = world.api.post(
        "/api/v1/orders/",
        {"po_number": text, "lines": [{"sku": "FERN-LEAF", "quantity": 20}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="formula",
    )
    assert answer.status_code == 202 and answer.json()["po_number"] == text


def partner_named(world, text: str) -> None:
    world.partner.name = text
    world.partner.save(update_fields=["name"])


def ship_to_labelled(world, text: str) -> None:
    world.ship_tos[0].label = text
    world.ship_tos[0].save(update_fields=["label"])


def admin_export(model: str, resource: str, fields: list[str]):
    def export(world, file_format: str) -> bytes:
        answer = world.back_office.post(
            f"/admin/{model}/export/",
            {"format": file_format, "resource": "0", **{f"{resource}_{f}": "on" for f in fields}},
        )
        assert answer.status_code == 200
        return answer.content

    return export


def sample_csv(world, file_format: str) -> bytes:
    return world.portal.get("/upload/sample.csv").content


EXPORTS = [
    pytest.param(
        product_named,
        admin_export("inventory/product", "productresource", ["sku", "name"]),
        CSV,
        id="product name, product export CSV",
    ),
    pytest.param(
        product_named,
        admin_export("inventory/product", "productresource", ["sku", "name"]),
        XLSX,
        id="product name, product export XLSX",
    ),
    pytest.param(
        order_with_po,
        admin_export("orders/order", "orderlineexportresource", ["order", "po_number", "sku"]),
        CSV,
        id="PO number, order export CSV",
    ),
    pytest.param(
        order_with_po,
        admin_export("orders/order", "orderlineexportresource", ["order", "po_number", "sku"]),
        XLSX,
        id="PO number, order export XLSX",
    ),
    pytest.param(
        partner_named,
        admin_export("partners/partner", "partnerresource", ["code", "name"]),
        CSV,
        id="partner name, partner export CSV",
    ),
    pytest.param(
        partner_named,
        admin_export("partners/partner", "partnerresource", ["code", "name"]),
        XLSX,
        id="partner name, partner export XLSX",
    ),
    pytest.param(ship_to_labelled, sample_csv, CSV, id="ship-to label, portal sample CSV"),
]


def cells_of(content: bytes, file_format: str) -> list:
    """Every cell of the file, as the spreadsheet would hold it: (value, is a formula)."""
    if file_format == CSV:
        return [(cell, False) for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [(cell.value, cell.data_type == "f") for row in sheet.iter_rows() for cell in row]


def runs_as_formula(value, is_formula: bool) -> bool:
    return is_formula or (isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value))


@pytest.mark.parametrize("formula", FORMULAS)
@pytest.mark.parametrize(("supply", "export", "file_format"), EXPORTS)
def test_a_formula_typed_in_never_comes_out_as_one(world, supply, export, file_format, formula):
    supply(world, formula)

    cells = cells_of(export(world, file_format), file_format)

    assert ("'" + formula, False) in cells
    assert not [value for value, is_formula in cells if runs_as_formula(value, is_formula)]
