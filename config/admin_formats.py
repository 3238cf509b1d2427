"""File formats of the back office's imports and exports: CSV and XLSX, with cells
that a spreadsheet would run as a formula made safe on export."""

from import_export.formats import base_formats

from config.spreadsheets import escape_formula, not_utf8_reason


class NotUtf8TextError(ValueError):
    """The file decoded as UTF-8 but is not UTF-8 text (UTF-16 without a byte-order
    mark, NUL bytes)."""


def escape_dataset(dataset) -> None:
    for index in range(len(dataset)):
        row = dataset[index]
        escaped = tuple(escape_formula(cell) for cell in row)
        if escaped != tuple(row):
            dataset[index] = escaped


class SafeCSV(base_formats.CSV):
    def create_dataset(self, in_stream, **kwargs):
        reason = not_utf8_reason(in_stream)
        if reason:
            raise NotUtf8TextError(reason)
        return super().create_dataset(in_stream, **kwargs)

    def export_data(self, dataset, **kwargs):
        escape_dataset(dataset)
        return super().export_data(dataset, **kwargs)


class SafeXLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        escape_dataset(dataset)
        return super().export_data(dataset, **kwargs)


BACK_OFFICE_FORMATS = [SafeCSV, SafeXLSX]
