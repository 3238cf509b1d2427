"""What an upload tells its partner: the bad rows, the orders placed, the notes; and
the sample file built from the live catalogue."""

import csv
import io
import logging
from datetime import timedelta

from django.utils import timezone

from config.spreadsheets import escape_formula
from inventory.catalogue import smallest_orderable_quantity
from inventory.models import Product
from orders.models import CsvUpload
from partners.models import Partner, ShipToAddress
from uploads.files import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

logger = logging.getLogger("bouquet.orders")


# --- Reading an upload back -------------------------------------------------------------


def bad_rows(upload: CsvUpload) -> list[dict]:
    """The report's entries for bad rows, in file order."""
    return [entry for entry in upload.report or [] if "line" in entry]


def placed_orders(upload: CsvUpload) -> list[dict]:
    return [entry for entry in upload.report or [] if "order" in entry]


def report_notes(upload: CsvUpload) -> list[str]:
    return [entry["note"] for entry in upload.report or [] if "note" in entry]


def build_sample_csv(*, partner: Partner, rows: int = 5) -> str:
    """A small valid CSV for this partner from real active products, to show the format."""
    products = list(Product.objects.filter(active=True).order_by("sku")[:rows])
    address = ShipToAddress.objects.filter(partner=partner).order_by("-is_default", "id").first()
    delivery = (timezone.localdate() + timedelta(days=3)).isoformat()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
    for index, product in enumerate(products):
        quantity = smallest_orderable_quantity(case_pack=product.case_pack, min_order_qty=product.min_order_qty)
        row = (product.sku, quantity, f"PO-SAMPLE-{1 + index // 3}", address.label if address else "", delivery)
        # A label is whatever text was typed in: a spreadsheet must not run it as a formula.
        writer.writerow([escape_formula(cell) for cell in row])
    return out.getvalue()
