"""The limits every door and rule checks against, written once: what the database
columns hold and the smallest amount of money. No app imports and no DRF here, so the
API's inputs and the domain's rules read the same numbers."""

import re
from decimal import Decimal

# Largest value a PostgreSQL integer column holds (case packs, minimums, quantity
# breaks, stock counts): a bigger one is refused by name rather than failing the insert.
MAX_WHOLE_NUMBER = 2_147_483_647

# Prices are DecimalField(max_digits=10, decimal_places=2): list prices, partner prices.
MAX_PRICE = Decimal("99999999.99")

# Money is kept to the cent; amounts are quantized to it.
CENT = Decimal("0.01")


# A SKU: printable ASCII without spaces, 1 to 40 characters. Written as a pattern, so
# the API's schema declares exactly the rule the catalogue holds.
SKU_PATTERN = r"^[!-~]{1,40}$"

# A lot code: as a SKU, less "/", so that every lot has an address in the stock API
# (/api/v1/stock/{sku}/{warehouse}/lots/{lot}/).
LOT_PATTERN = r"^[!-.0-~]{1,40}$"


def matches_pattern(pattern: str, text: str) -> bool:
    """Whether all of `text` matches `pattern` (written ^...$ for JSON Schema). A
    fullmatch: with re.match, "$" would let a trailing newline through."""
    return re.fullmatch(pattern.removeprefix("^").removesuffix("$"), text) is not None
