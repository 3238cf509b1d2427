"""Import a CSV of order lines for a partner, with a progress bar: the same importer as
the portal's upload, run here and now instead of in a task."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from config.errors import DomainError
from orders.models import CsvUpload
from partners.models import Partner
from uploads.files import read_csv_file
from uploads.processing import create_csv_upload, process_csv_upload
from uploads.reports import bad_rows, placed_orders, report_notes


class Command(BaseCommand):
    help = "Import FILE (CSV: sku,quantity[,po_number,ship_to,requested_delivery_date]) as orders of partner CODE."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--partner", required=True, help="the partner's code, e.g. BLOOM")
        parser.add_argument(
            "--valid-rows-only",
            action="store_true",
            help="place the valid rows and report the bad ones (default: all or nothing)",
        )
        parser.add_argument(
            "--ignore-quota",
            action="store_true",
            help="start even past the partner's upload quota (UPLOAD_QUOTA_PER_HOUR, one upload at a time): "
            "for staff loading a partner's backlog here, which runs in this process, not on the imports cluster",
        )

    def handle(self, *args, file: Path, partner: str, valid_rows_only: bool, ignore_quota: bool, **options):
        found = Partner.objects.filter(code=partner).first()
        if found is None:
            raise CommandError(f"No partner with code {partner}.")
        mode = CsvUpload.Mode.VALID_ROWS if valid_rows_only else CsvUpload.Mode.ALL_OR_NOTHING
        try:
            with file.open("rb") as handle:
                raw = read_csv_file(handle)
            upload = create_csv_upload(
                partner=found, filename=file.name, raw=raw, mode=mode, within_quota=not ignore_quota
            )
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        except DomainError as error:
            raise CommandError(error.message) from None

        with tqdm(total=upload.total_rows, unit="row", file=sys.stderr, desc=file.name) as bar:
            upload = process_csv_upload(upload_id=upload.id, progress=bar.update)

        orders = placed_orders(upload)
        self.stdout.write(
            f"Upload #{upload.id} ({file.name}): {upload.get_status_display().lower()}; "
            f"{upload.total_rows} rows, {len(orders)} orders created."
        )
        for order in orders:
            self.stdout.write(
                f"  {order['order']}  PO {order['po_number'] or '-'}  {order['rows']} "
                f"row{'s' if order['rows'] != 1 else ''}"
                f"{'  (placed before)' if order['replayed'] else ''}"
            )
        for note in report_notes(upload):
            self.stdout.write(f"  note: {note}")
        problems = bad_rows(upload)
        for problem in problems:
            self.stdout.write(f"  {problem['detail']}")
        if upload.problem_count > len(problems):
            self.stdout.write(f"  ... and {upload.problem_count - len(problems):,} more problems, not kept.")
        if upload.stopped_at_line is not None:
            self.stdout.write(
                f"  Checking stopped early at line {upload.stopped_at_line:,}: the rows after it were not checked."
            )
        if upload.status == CsvUpload.Status.FAILED:
            raise CommandError(f"The import failed: {upload.error}. Orders placed so far stay; run it again to finish.")
        if upload.status == CsvUpload.Status.INVALID:
            bad = upload.rows_refused
            raise CommandError(f"Rejected: {bad:,} bad row{'s' if bad != 1 else ''}; nothing was placed.")
