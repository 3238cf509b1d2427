"""Imports and exports of the back office: CSV and XLSX both ways, a preview of what
will change, every bad row reported with its number, all or nothing per file."""

import re

import pytest
import tablib
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.admin import describe_row_problems
from inventory.models import Product, Stock, StockMovement
from inventory.stock_sync import set_on_hand
from partners.models import PartnerPrice

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"


def import_url(model: str) -> str:
    return reverse(f"admin:{model.replace('.', '_')}_import")


def csv_file(text: str, encoding: str = "utf-8", name: str = "file.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(headers, rows, name="file.xlsx") -> SimpleUploadedFile:
    data = tablib.Dataset(*rows, headers=headers)
    return SimpleUploadedFile(name, data.export("xlsx"), content_type="application/vnd.ms-excel")


def preview(client, model, upload, fmt=CSV):
    return client.post(import_url(model), {"format": fmt, "import_file": upload, "resource": "0"})


def confirm(client, model, response):
    form = response.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(reverse(f"admin:{model.replace('.', '_')}_process_import"), data, follow=True)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def problems(response) -> list[str]:
    """Every refused row of the preview as 'row N: reason'."""
    return describe_row_problems(response.context["result"])


@pytest.fixture
def stock(rose, warehouses):
    return Stock.objects.get(product=rose, warehouse=warehouses["RTM"])


def test_a_stock_file_is_previewed_then_applied_through_the_service(staff_client, stock, warehouses):
    upload = csv_file(f"sku,warehouse,on_hand,version\nRO-RED-50,RTM,1500,{stock.version}\nRO-RED-50,LHR,40,0\n")

    response = preview(staff_client, "inventory.stock", upload)

    assert response.context["confirm_form"] is not None
    assert [r.import_type for r in response.context["result"].rows] == ["update", "new"]
    assert [r.instance.on_hand for r in response.context["result"].rows] == [1500, 40]
    page = text(response)
    assert "LHR" in page and "New" in page and "Update" in page and "<ins" in response.content.decode()
    stock.refresh_from_db()
    assert stock.on_hand == 1000  # the preview wrote nothing
    assert not Stock.objects.filter(warehouse=warehouses["LHR"]).exists()

    done = confirm(staff_client, "inventory.stock", response)

    stock.refresh_from_db()
    assert (stock.on_hand, stock.version) == (1500, 2)
    assert Stock.objects.get(warehouse=warehouses["LHR"]).on_hand == 40
    assert StockMovement.objects.filter(actor="clerk", note__startswith="stock import").count() == 2
    assert LogEntry.objects.filter(content_type__model="stock").count() == 2
    assert "Import finished" in text(done)


def test_conflicting_and_invalid_stock_rows_are_all_reported_and_nothing_is_written(
    staff_client, stock, reserved_order
):
    stock.refresh_from_db()
    upload = csv_file(
        "sku,warehouse,on_hand,version\n"
        f"RO-RED-50,AMS,300,1\n"  # fine on its own
        f"RO-RED-50,RTM,900,{stock.version + 5}\n"  # stale version
        "NOPE,RTM,10,0\n"  # unknown SKU
        "RO-RED-50,NOWHERE,10,0\n"  # unknown warehouse
        f"RO-RED-50,RTM,lots,{stock.version}\n"  # not a number (and a repeat)
    )

    response = preview(staff_client, "inventory.stock", upload)

    assert response.context.get("confirm_form") is None
    assert problems(response) == [
        "row 2: version: Stock RO-RED-50@RTM was changed by someone else (version 1, you sent 6); read it again.",
        "row 3: sku: Unknown SKU NOPE.",
        "row 4: warehouse: Unknown warehouse NOWHERE.",
        "row 5: sku: RO-RED-50@RTM appears again (first on row 2); give each stock row once.",
    ]
    assert "Unknown SKU NOPE." in text(response)
    assert Stock.objects.get(product=stock.product, warehouse__code="AMS").on_hand == 200


def test_on_hand_below_reserved_is_a_bad_row(staff_client, stock, reserved_order):
    stock.refresh_from_db()
    upload = csv_file(f"sku,warehouse,on_hand,version\nRO-RED-50,RTM,100,{stock.version}\n")

    response = preview(staff_client, "inventory.stock", upload)

    assert problems(response) == [
        "row 1: on_hand: on_hand 100 for RO-RED-50@RTM is below the 600 units reserved for orders."
    ]


def test_a_conflict_between_preview_and_confirm_rolls_back_the_whole_file(staff_client, stock, warehouses):
    upload = csv_file(f"sku,warehouse,on_hand,version\nRO-RED-50,LHR,40,0\nRO-RED-50,RTM,1500,{stock.version}\n")
    response = preview(staff_client, "inventory.stock", upload)
    set_on_hand(
        product=stock.product, warehouse=stock.warehouse, on_hand=800, expected_version=stock.version, actor="erp"
    )

    done = confirm(staff_client, "inventory.stock", response)

    page = text(done)
    assert "Nothing was imported: row 2: version: Stock RO-RED-50@RTM was changed by someone else" in page
    assert not Stock.objects.filter(warehouse=warehouses["LHR"]).exists()
    stock.refresh_from_db()
    assert stock.on_hand == 800
    assert not LogEntry.objects.filter(content_type__model="stock").exists()


def test_a_file_in_the_wrong_encoding_gets_a_clear_error(staff_client, stock):
    upload = csv_file("sku,warehouse,on_hand,version\nRO-RED-50,RTM,5,1\nRÖSE,RTM,5,0\n", encoding="latin-1")

    page = text(preview(staff_client, "inventory.stock", upload))

    assert "The file is not UTF-8 text" in page and "Nothing was imported." in page
    stock.refresh_from_db()
    assert stock.on_hand == 1000


def test_a_stock_file_without_the_version_column_is_refused(staff_client, stock):
    response = preview(staff_client, "inventory.stock", csv_file("sku,warehouse,on_hand\nRO-RED-50,RTM,5\n"))

    assert "The file lacks the column(s) version" in text(response)
    assert response.context.get("confirm_form") is None
    stock.refresh_from_db()
    assert stock.on_hand == 1000


def test_a_stock_xlsx_file_imports_like_csv(staff_client, stock):
    upload = xlsx_file(["sku", "warehouse", "on_hand", "version"], [["RO-RED-50", "RTM", 1100, stock.version]])

    response = preview(staff_client, "inventory.stock", upload, fmt=XLSX)
    confirm(staff_client, "inventory.stock", response)

    stock.refresh_from_db()
    assert stock.on_hand == 1100


@pytest.mark.parametrize("fmt", [CSV, XLSX])
def test_stock_exports_with_version_in_csv_and_xlsx(staff_client, stock, fmt):
    response = staff_client.post(
        reverse("admin:inventory_stock_export"),
        {
            "format": fmt,
            "resource": "0",
            **{f"stockresource_{f}": "on" for f in ("sku", "warehouse", "on_hand", "reserved", "available", "version")},
        },
    )

    assert response.status_code == 200
    data = tablib.Dataset().load(
        response.content if fmt == XLSX else response.content.decode(), format="xlsx" if fmt == XLSX else "csv"
    )
    assert data.headers == ["sku", "warehouse", "on_hand", "reserved", "available", "version"]
    assert [str(c) for c in data[0]] == ["RO-RED-50", "AMS", "200", "0", "200", "1"]


def test_products_import_all_or_nothing_with_every_bad_row(staff_client, rose):
    upload = csv_file(
        "sku,name,category,unit,case_pack,min_order_qty,list_price,active\n"
        "TU-NEW,Tulip new,tulips,stem,10,0,1.50,1\n"
        "TU-BAD,Tulip bad,tulips,stem,0,0,1.50,1\n"
        "TU-WORSE,Tulip worse,tulips,stem,10,0,abc,1\n"
    )

    found = problems(preview(staff_client, "inventory.product", upload))

    assert [p.split(":")[0] for p in found] == ["row 2", "row 3"]
    assert found == [
        "row 2: case_pack: case_pack must be a whole number of at least 1.",
        "row 3: list_price: list_price 'abc' cannot be read (InvalidOperation).",
    ]
    assert not Product.objects.filter(sku__startswith="TU-").exists()


def test_products_import_creates_and_updates_through_the_service(staff_client, rose):
    upload = csv_file(
        "sku,name,category,unit,case_pack,min_order_qty,list_price,active\n"
        "TU-NEW,Tulip new,tulips,stem,10,0,1.50,1\n"
        "RO-RED-50,Red rose renamed,roses,stem,10,0,11.00,1\n"
    )
    confirm(staff_client, "inventory.product", preview(staff_client, "inventory.product", upload))

    assert Product.objects.get(sku="TU-NEW").list_price == 1.5
    rose.refresh_from_db()
    assert (rose.name, str(rose.list_price)) == ("Red rose renamed", "11.00")


def test_partner_prices_import_and_report_unknown_partners_and_skus(staff_client, account_buyer, rose):
    bad = csv_file(
        "partner,sku,min_quantity,unit_price\nFERN,RO-RED-50,1,8.50\nNOBODY,RO-RED-50,1,1.00\nFERN,NOPE,1,1.00\n"
    )
    found = problems(preview(staff_client, "partners.partnerprice", bad))
    assert found == ["row 2: Unknown partner 'NOBODY'.", "row 3: Unknown product 'NOPE'."]
    assert not PartnerPrice.objects.exists()

    good = csv_file("partner,sku,min_quantity,unit_price\nFERN,RO-RED-50,1,8.50\nFERN,RO-RED-50,100,7.90\n")
    confirm(staff_client, "partners.partnerprice", preview(staff_client, "partners.partnerprice", good))
    assert sorted(PartnerPrice.objects.values_list("min_quantity", "unit_price")) == [(1, 8.5), (100, 7.9)] or sorted(
        (q, str(p)) for q, p in PartnerPrice.objects.values_list("min_quantity", "unit_price")
    ) == [(1, "8.50"), (100, "7.90")]


def test_partners_export_with_credit_and_escaped_formulas(staff_client, account_buyer):
    account_buyer.name = "=cmd|' /C calc'!A0"
    account_buyer.save()

    response = staff_client.post(
        reverse("admin:partners_partner_export"),
        {
            "format": CSV,
            "resource": "0",
            **{f"partnerresource_{f}": "on" for f in ("code", "name", "credit_limit", "open_balance")},
        },
    )

    body = response.content.decode()
    assert "FERN" in body and "5000.00" in body
    assert "'=cmd" in body


def test_products_import_sets_keeps_and_refuses_the_freshness_default(staff_client, rose):
    with_days = csv_file(
        "sku,name,category,unit,case_pack,min_order_qty,list_price,active,min_days_at_delivery\n"
        "RO-RED-50,Red rose,roses,stem,10,0,11.00,1,4\n"
    )
    confirm(staff_client, "inventory.product", preview(staff_client, "inventory.product", with_days))
    without_column = csv_file(
        "sku,name,category,unit,case_pack,min_order_qty,list_price,active\nRO-RED-50,Red rose,roses,stem,10,0,12.00,1\n"
    )
    confirm(staff_client, "inventory.product", preview(staff_client, "inventory.product", without_column))
    rose.refresh_from_db()
    assert (rose.min_days_at_delivery, str(rose.list_price)) == (4, "12.00")

    too_many = csv_file(
        "sku,name,category,unit,case_pack,min_order_qty,list_price,active,min_days_at_delivery\n"
        "RO-RED-50,Red rose,roses,stem,10,0,12.00,1,400\n"
    )
    found = problems(preview(staff_client, "inventory.product", too_many))

    assert found == ["row 1: min_days_at_delivery: min_days_at_delivery must be empty or a whole number from 0 to 365."]
    rose.refresh_from_db()
    assert rose.min_days_at_delivery == 4
