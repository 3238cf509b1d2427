"""File formats of the back office's imports and exports: CSV and XLSX, with cells
that a spreadsheet would run as a formula made safe on export."""

import re

from import_export.formats import base_formats

# A spreadsheet evaluates a cell starting with one of these (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def escape_formula(value):
    """Return the cell with a leading apostrophe if a spreadsheet would read it as a
    formula; numbers (a negative quantity) stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def escape_dataset(dataset) -> None:
    for index in range(len(dataset)):
        row = dataset[index]
        escaped = tuple(escape_formula(cell) for cell in row)
        if escaped != tuple(row):
            dataset[index] = escaped


class SafeCSV(base_formats.CSV):
    def export_data(self, dataset, **kwargs):
        escape_dataset(dataset)
        return super().export_data(dataset, **kwargs)


class SafeXLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        escape_dataset(dataset)
        return super().export_data(dataset, **kwargs)


BACK_OFFICE_FORMATS = [SafeCSV, SafeXLSX]
