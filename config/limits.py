"""The limits every door and rule checks against, written once: what the database
columns hold and the smallest amount of money. No app imports and no DRF here, so the
API's inputs and the domain's rules read the same numbers."""

from decimal import Decimal

# Largest value a PostgreSQL integer column holds (case packs, minimums, quantity
# breaks, stock counts): a bigger one is refused by name rather than failing the insert.
MAX_WHOLE_NUMBER = 2_147_483_647

# Prices are DecimalField(max_digits=10, decimal_places=2): list prices, partner prices.
MAX_PRICE = Decimal("99999999.99")

# Money is kept to the cent; amounts are quantized to it.
CENT = Decimal("0.01")
