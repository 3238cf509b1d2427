"""What an upload tells its partner: the bad rows, the orders placed, the notes; and
the sample file built from the live catalogue."""

import csv
import io
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F, Func, IntegerField, JSONField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from config.spreadsheets import escape_formula
from inventory.catalogue import smallest_orderable_quantity
from inventory.models import Product
from orders.models import CsvUpload
from partners.models import Partner, ShipToAddress
from uploads.files import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

logger = logging.getLogger("bouquet.orders")


# A page of the report shows this many problems.
PROBLEMS_PER_PAGE = 100


# --- Reading an upload back -------------------------------------------------------------


def bad_rows(upload: CsvUpload) -> list[dict]:
    """The problems the upload keeps (the first CSV_REPORT_MAX_PROBLEMS), in file order."""
    return list(upload.problems or [])


def placed_orders(upload: CsvUpload) -> list[dict]:
    return [entry for entry in upload.report or [] if "order" in entry]


def report_notes(upload: CsvUpload) -> list[str]:
    return [entry["note"] for entry in upload.report or [] if "note" in entry]


@dataclass(frozen=True)
class ProblemPage:
    """One page of an upload's kept problems."""

    problems: list[dict]
    number: int
    pages: int
    kept: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def problem_page(*, upload_id: int, number: int, size: int = PROBLEMS_PER_PAGE) -> ProblemPage:
    """Return page `number` (from 1; out of range gives the last) of the upload's kept
    problems. PostgreSQL slices the stored list, so the page alone leaves the database."""
    kept = CsvUpload.objects.filter(id=upload_id).values_list(JsonbArrayLength(F("problems")), flat=True).get()
    pages = max(1, -(-kept // size))
    number = min(max(number, 1), pages)
    start = (number - 1) * size
    path = f"$[{start} to {start + size - 1}]"
    problems = (
        CsvUpload.objects.filter(id=upload_id)
        .values_list(JsonbPathQueryArray(F("problems"), RawSQL("%s::jsonpath", [path])), flat=True)
        .get()
        if kept
        else []
    )
    return ProblemPage(problems=problems or [], number=number, pages=pages, kept=kept)


class JsonbArrayLength(Func):
    function = "jsonb_array_length"
    output_field = IntegerField()


class JsonbPathQueryArray(Func):
    function = "jsonb_path_query_array"
    output_field = JSONField()


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
