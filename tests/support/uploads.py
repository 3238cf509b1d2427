"""Uploading a CSV of order lines and processing it inline, as the task would."""

from orders.models import CsvUpload
from uploads.processing import create_csv_upload, process_csv_upload

VALID = CsvUpload.Mode.VALID_ROWS


def run(partner, text: str | bytes, *, mode=CsvUpload.Mode.ALL_OR_NOTHING, filename="orders.csv") -> CsvUpload:
    """Upload the file for the partner, process it at once and return the upload."""
    raw = text.encode() if isinstance(text, str) else text
    upload = create_csv_upload(partner=partner, filename=filename, raw=raw, mode=mode)
    return process_csv_upload(upload_id=upload.id)
