"""What every spreadsheet file (CSV or XLSX) that users hand us or take away shares:
its size said in megabytes, text that must be UTF-8 (with a reason naming what it is
instead), and cells a spreadsheet would run as a formula, made safe on the way out.
The order importer and the back office's imports and exports use it."""

import codecs
import re

# A spreadsheet evaluates a cell starting with one of these (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
UTF16 = 'The file is UTF-16 ("Unicode text"), not UTF-8'


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def not_utf8_reason(data: bytes | str) -> str | None:
    """Return why a file that may well decode as UTF-8 is still not UTF-8 text (the
    start of a sentence, naming the line where it can), or None.

    UTF-16 without a byte-order mark decodes as UTF-8 (every other byte of plain text
    is NUL), and so does a file with NUL bytes; both would otherwise come out as
    garbage columns, and PostgreSQL cannot store a NUL."""
    if isinstance(data, bytes) and data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return UTF16
    nul = "\x00" if isinstance(data, str) else b"\x00"
    position = data.find(nul)
    if position < 0:
        return None
    head = data[:2000]
    if head[0::2].count(nul) > len(head) // 4 or head[1::2].count(nul) > len(head) // 4:
        return UTF16
    newline = "\n" if isinstance(data, str) else b"\n"
    return f"Line {data[:position].count(newline) + 1} has a NUL byte, which text never has"


def escape_formula(value):
    """Return the cell with a leading apostrophe if a spreadsheet would read it as a
    formula; numbers (a negative quantity) stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value
