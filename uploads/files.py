"""Reading a CSV order file: its size, encoding, header and rows, refused at once with
nothing stored when the file itself is wrong."""

import csv
import hashlib
import io
import itertools
import logging
import os
from dataclasses import dataclass, field

from django.conf import settings

from config.spreadsheets import megabytes, not_utf8_reason
from orders.exceptions import CsvFileError

logger = logging.getLogger("bouquet.orders")


REQUIRED_COLUMNS = ("sku", "quantity")


OPTIONAL_COLUMNS = ("po_number", "ship_to", "requested_delivery_date")


NOT_UTF8 = "the file is not UTF-8 (looks like Windows-1252/Latin-1?): save it as CSV UTF-8"


@dataclass(frozen=True)
class CsvRow:
    line: int
    sku: str
    quantity: str
    po_number: str = ""
    ship_to: str = ""
    requested_delivery_date: str = ""


@dataclass
class ParsedCsv:
    rows: list[CsvRow]
    # Rows the reader could not even split into the header's columns.
    malformed: list[dict] = field(default_factory=list)


# --- Reading the file ------------------------------------------------------------------


def read_csv_file(file) -> bytes:
    """Return the bytes of an uploaded or opened file, reading no more than the size
    limit: a file over it is refused (CsvFileError) without being read into memory."""
    limit = settings.BOUQUET["CSV_UPLOAD_MAX_BYTES"]
    size = getattr(file, "size", None)
    if size is None:
        try:
            size = os.fstat(file.fileno()).st_size
        except (AttributeError, OSError, io.UnsupportedOperation):
            size = None
    if size is not None and size > limit:
        raise _too_large(size, limit)
    raw = file.read(limit + 1)
    if len(raw) > limit:
        raise _too_large(size, limit)
    return raw


def _too_large(size: int | None, limit: int) -> CsvFileError:
    said = megabytes(size) if size is not None else f"over {megabytes(limit)}"
    return CsvFileError(f"The file is {said}; a file may be at most {megabytes(limit)}.", code="file_too_large")


def decode_csv(raw: bytes, *, kind: str = "order") -> str:
    """Return the file's text: UTF-8 with or without a byte-order mark, any line endings
    (normalised to \\n). Raise CsvFileError for a file too large, empty or not UTF-8
    (UTF-16, NUL bytes, Windows-1252). `kind` names its lines in the messages."""
    limit = settings.BOUQUET["CSV_UPLOAD_MAX_BYTES"]
    if len(raw) > limit:
        raise _too_large(len(raw), limit)
    reason = not_utf8_reason(raw)
    if reason:
        raise CsvFileError(f"{reason}: save it as CSV UTF-8.", code="not_utf8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CsvFileError(f"Line {line}: {NOT_UTF8}.", code="not_utf8") from None
    if not text.strip():
        raise _empty_file(kind)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_csv(
    text: str, *, optional_columns: tuple[str, ...] = OPTIONAL_COLUMNS, max_rows: int | None = None, kind: str = "order"
) -> ParsedCsv:
    """Split decoded text into rows keyed by the header. Raise CsvFileError when the
    header lacks a required column, names one not in `optional_columns`, no line
    follows, or more rows follow than `max_rows` (default CSV_UPLOAD_MAX_ROWS; counting
    stops one row past it). `kind` names the file's lines in the messages."""
    header_line, _, _ = text.partition("\n")
    # The delimiter is the header's: a spreadsheet set to a comma-decimal locale
    # writes semicolons.
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    max_rows = settings.BOUQUET["CSV_UPLOAD_MAX_ROWS"] if max_rows is None else max_rows
    try:
        # The header and one row past the cap are enough to refuse a file over it.
        records = list(itertools.islice(_records(csv.reader(io.StringIO(text), delimiter=delimiter)), max_rows + 2))
    except csv.Error as exc:
        raise CsvFileError(f"The file is not a readable CSV: {exc}.", code="unreadable_csv") from None
    if len(records) > max_rows + 1:
        line = records[-1][0]
        raise CsvFileError(
            f"The file has more than {max_rows:,} rows: row {max_rows + 1:,} is on line {line:,}, and a file takes "
            f"at most {max_rows:,} rows. Split it into smaller files. Nothing was stored.",
            code="too_many_rows",
        )
    if not records:
        raise _empty_file(kind)
    header_no, header = records[0]
    columns = [name.strip().lower() for name in header]
    _check_columns(columns, optional_columns)
    parsed = ParsedCsv(rows=[])
    for line, values in records[1:]:
        if len(values) != len(columns):
            parsed.malformed.append(
                bad_row(
                    line,
                    "",
                    "wrong_column_count",
                    f"has {len(values)} values; the header has {len(columns)} columns ({', '.join(columns)}).",
                )
            )
            continue
        cells = {name: value.strip() for name, value in zip(columns, values)}
        parsed.rows.append(CsvRow(line=line, **cells))
    if not parsed.rows and not parsed.malformed:
        raise CsvFileError(f"The file has a header but no {kind} lines.", code="no_rows")
    return parsed


def _empty_file(kind: str) -> CsvFileError:
    return CsvFileError(
        f"The file is empty: it needs a header (sku,quantity) and at least one {kind} line.", code="empty_file"
    )


def _records(reader):
    """Yield (line number where the record starts, values), skipping blank lines."""
    line = 1
    for values in reader:
        if any(value.strip() for value in values):
            yield line, values
        line = reader.line_num + 1


def _check_columns(columns: list[str], optional_columns: tuple[str, ...]) -> None:
    expected = f"Expected columns: {', '.join(REQUIRED_COLUMNS)}, and optionally {', '.join(optional_columns)}."
    unknown = [name or "(blank)" for name in columns if name not in REQUIRED_COLUMNS + optional_columns]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    repeated = sorted({name for name in columns if name and columns.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"the header (line 1) lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} in the header (line 1)")
    if repeated:
        problems.append(
            f"column{'s' if len(repeated) > 1 else ''} {', '.join(repeated)} "
            f"appear{'' if len(repeated) > 1 else 's'} twice in the header (line 1)"
        )
    if problems:
        message = "; ".join(problems)
        raise CsvFileError(
            f"{message[0].upper()}{message[1:]}. {expected}",
            code="wrong_columns",
            errors=[{"field": "file", "code": "wrong_columns", "detail": p} for p in problems],
        )


def bad_row(line: int, sku: str, code: str, detail: str) -> dict:
    return {"line": line, "sku": sku, "code": code, "detail": f"Line {line}: {detail}"}


# --- Storing an upload -----------------------------------------------------------------


def content_hash_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()
