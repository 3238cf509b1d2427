"""orders/migrations/0010_upload_report_caps.py moves the problems of uploads finished
before the caps out of `report`, keeping the first CSV_REPORT_MAX_PROBLEMS and counting
them all."""

import importlib

import pytest
from django.apps import apps

from orders.models import CsvUpload

pytestmark = pytest.mark.django_db

migration = importlib.import_module("orders.migrations.0010_upload_report_caps")


def test_an_old_report_has_its_problems_moved_capped_and_counted(account_buyer):
    problems = [
        {"line": n, "sku": f"X-{n}", "code": "unknown_sku", "detail": f"Line {n}: ..."} for n in range(2, 1_502)
    ]
    old = CsvUpload.objects.create(
        partner=account_buyer,
        filename="old.csv",
        content_hash="a" * 64,
        content="",
        status=CsvUpload.Status.DONE,
        total_rows=1_600,
        report=[{"note": "split"}, {"order": "B-1", "rows": 100}, *problems],
    )

    migration.move_problems_out_of_the_report(apps, None)

    old.refresh_from_db()
    assert old.report == [{"note": "split"}, {"order": "B-1", "rows": 100}]
    assert old.problems == problems[:1_000]
    assert (old.problem_count, old.rows_refused, old.rows_ok) == (1_500, 1_500, 100)
