"""Importing stock levels from a file (the back office's spreadsheet of counts).

Each row says "set on_hand of this lot of this SKU in this warehouse, I read version V"
and goes through `set_on_hand`, so an import is version-checked and writes the ledger like any
other writer. A file is all or nothing: the caller runs every row inside one
transaction and rolls it back when any row is refused (import-export's dry run does
exactly that for the preview, and again for the real import)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from inventory.exceptions import InvalidLotDatesError, InventoryError, LotInUseError, VersionConflictError
from inventory.models import NO_LOT, Product, Stock, Warehouse
from inventory.stock import lock_lots
from inventory.stock_sync import UNCHANGED, lot_code_problem, set_on_hand

REQUIRED_COLUMNS = ("sku", "warehouse", "on_hand", "version")
# Optional: a file without `lot` sets lot ""; without a date column, the lot keeps
# that date (a new lot: none), and an empty cell clears it.
LOT_COLUMNS = ("lot", "available_from", "expires_on")
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class StockRowError(InventoryError):
    """One row of a stock file was refused; `field` names the column at fault."""

    code = "invalid_stock_row"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message, code=code, field=field)
        self.field = field


@dataclass
class StockRowChange:
    """What one row did: the row before (None when the import created it) and after."""

    before: Stock | None
    after: Stock

    @property
    def created(self) -> bool:
        return self.before is None

    @property
    def changed(self) -> bool:
        return self.before is None or self.before.version != self.after.version


def check_stock_columns(headers) -> None:
    """Raise InventoryError naming the columns a stock file lacks."""
    present = {str(h).strip().lower() for h in headers or () if h is not None}
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    if missing:
        raise InventoryError(
            f"The file lacks the column(s) {', '.join(missing)}; a stock file has the columns "
            f"{', '.join(REQUIRED_COLUMNS)}.",
            code="missing_columns",
        )


def _whole_number(raw, *, field: str, label: str) -> int:
    if isinstance(raw, bool):
        raise StockRowError(f"{field} {raw!r} for {label} is not a whole number.", field=field, code="invalid_quantity")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)  # spreadsheets hand whole numbers over as floats
    else:
        text = "" if raw is None else str(raw).strip()
        if text.endswith(".0"):
            text = text[:-2]
        if not text.lstrip("-").isdigit():
            raise StockRowError(
                f"{field} {text!r} for {label} is not a whole number." if text else f"{field} is missing for {label}.",
                field=field,
                code="invalid_quantity",
            )
        value = int(text)
    if value < 0:
        raise StockRowError(f"{field} {value} for {label} must be at least 0.", field=field, code="invalid_quantity")
    return value


def _lot_date(values: dict, field: str, *, label: str):
    """The row's date in `field`: UNCHANGED without the column, None for an empty cell."""
    if field not in values:
        return UNCHANGED
    raw = values[field]
    if isinstance(raw, datetime):  # spreadsheets hand dates over as midnight datetimes
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    try:
        if _FULL_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise StockRowError(
        f"{field} {text!r} for {label} is not a date (YYYY-MM-DD).", field=field, code="invalid_lot_dates"
    )


def _lot_code(values: dict, *, label: str) -> str:
    raw = values.get("lot")
    lot = NO_LOT if raw is None else str(raw).strip()
    problem = lot_code_problem(lot)
    if problem:
        raise StockRowError(f"{label}: {problem}", field="lot", code="invalid_lot")
    return lot


def _refused_dates_field(exc: InventoryError, before: Stock | None, expires_on) -> str:
    """The date column a refusal of the lot's dates is about."""
    if isinstance(exc, InvalidLotDatesError) and exc.errors:
        return exc.errors[0]["field"]
    unchanged_expiry = expires_on is UNCHANGED or (before is not None and before.expires_on == expires_on)
    return "available_from" if unchanged_expiry else "expires_on"


class StockImport:
    """The rows of one stock file, applied one by one in the caller's transaction.

    Call `apply_row` for every row inside one transaction and roll it back if any row
    raised: then nothing of the file is written."""

    def __init__(self, *, actor: str, source: str = "stock import"):
        self.actor = actor
        self.source = source
        self._rows_by_key: dict[tuple[str, str, str], int] = {}

    def lock_named_lots(self, rows: Iterable[dict]) -> None:
        """Lock every existing lot the file names, before any row is applied, in the
        reserve step's lock order (product, warehouse, lot). Applied one by one, the
        rows would lock their lots in the file's order and hold them to the end: a file
        naming lot B before lot A could deadlock with a reserve locking A, then B.
        Rows that name nothing are left to `apply_row` to refuse."""
        named = set()
        for values in rows:
            values = {str(k).strip().lower(): v for k, v in values.items() if k is not None}
            raw_lot = values.get("lot")
            named.add(
                (
                    str(values.get("sku") or "").strip(),
                    str(values.get("warehouse") or "").strip(),
                    NO_LOT if raw_lot is None else str(raw_lot).strip(),
                )
            )
        products = dict(Product.objects.filter(sku__in={sku for sku, _, _ in named}).values_list("sku", "id"))
        warehouses = dict(Warehouse.objects.filter(code__in={code for _, code, _ in named}).values_list("code", "id"))
        lock_lots(
            (products[sku], warehouses[code], lot) for sku, code, lot in named if sku in products and code in warehouses
        )

    def apply_row(self, values: dict, *, row_number: int) -> StockRowChange:
        """Set on_hand, and the dates where the file has their columns, for the row's
        SKU, warehouse and lot ("" without a lot column), checking the version it
        carries, and return what changed. Raise StockRowError naming the column at
        fault (nothing written for this row)."""
        values = {str(k).strip().lower(): v for k, v in values.items() if k is not None}
        sku = str(values.get("sku") or "").strip()
        code = str(values.get("warehouse") or "").strip()
        if not sku:
            raise StockRowError("sku is missing.", field="sku", code="missing_sku")
        if not code:
            raise StockRowError(f"warehouse is missing for {sku}.", field="warehouse", code="missing_warehouse")
        lot = _lot_code(values, label=f"{sku}@{code}")
        label = f"{sku}@{code}" + (f" lot {lot}" if lot else "")
        first_row = self._rows_by_key.setdefault((sku, code, lot), row_number)
        if first_row != row_number:
            raise StockRowError(
                f"{label} appears again (first on row {first_row}); give each stock row once.",
                field="sku",
                code="duplicate_row",
            )
        product = Product.objects.filter(sku=sku).first()
        if product is None:
            raise StockRowError(f"Unknown SKU {sku}.", field="sku", code="unknown_sku")
        warehouse = Warehouse.objects.filter(code=code).first()
        if warehouse is None:
            raise StockRowError(f"Unknown warehouse {code}.", field="warehouse", code="unknown_warehouse")
        on_hand = _whole_number(values.get("on_hand"), field="on_hand", label=label)
        version = _whole_number(values.get("version"), field="version", label=label)
        available_from = _lot_date(values, "available_from", label=label)
        expires_on = _lot_date(values, "expires_on", label=label)

        before = (
            Stock.objects.filter(product=product, warehouse=warehouse, lot=lot)
            .select_related("product", "warehouse")
            .first()
        )
        try:
            after = set_on_hand(
                product=product,
                warehouse=warehouse,
                lot=lot,
                on_hand=on_hand,
                expected_version=version,
                available_from=available_from,
                expires_on=expires_on,
                actor=self.actor,
                note=f"{self.source}, row {row_number}",
            )
        except VersionConflictError as exc:
            raise StockRowError(exc.message, field="version", code=exc.code) from None
        except (InvalidLotDatesError, LotInUseError) as exc:
            raise StockRowError(
                exc.message, field=_refused_dates_field(exc, before, expires_on), code=exc.code
            ) from None
        except InventoryError as exc:
            raise StockRowError(exc.message, field="on_hand", code=exc.code) from None
        after.product, after.warehouse = product, warehouse
        return StockRowChange(before=before, after=after)
