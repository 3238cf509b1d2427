"""Partner rules: prices from the partner's price list, and the credit account."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import F

from partners.models import CreditAccount, PartnerPrice


def prices_for(*, partner_id: int, quantities: dict[int, int], list_prices: dict[int, Decimal]) -> dict[int, Decimal]:
    """Return the unit price per product id for the quantity ordered: the partner's
    price from the highest quantity break reached, else the product's list price.
    One query, however many lines."""
    prices = dict(list_prices)
    best_break: dict[int, int] = {}
    rows = PartnerPrice.objects.filter(partner_id=partner_id, product_id__in=list(quantities)).values_list(
        "product_id", "min_quantity", "unit_price"
    )
    for product_id, min_quantity, unit_price in rows:
        if min_quantity <= quantities[product_id] and min_quantity >= best_break.get(product_id, 0):
            best_break[product_id] = min_quantity
            prices[product_id] = unit_price
    return prices


def price_table(*, partner_id: int, product_ids: Iterable[int]) -> dict[int, list[tuple[int, Decimal]]]:
    """Return each product's quantity breaks for the partner, lowest first (for
    showing prices in the catalogue)."""
    table: dict[int, list[tuple[int, Decimal]]] = {}
    for product_id, min_quantity, unit_price in PartnerPrice.objects.filter(
        partner_id=partner_id, product_id__in=list(product_ids)
    ).values_list("product_id", "min_quantity", "unit_price").order_by("product_id", "min_quantity"):
        table.setdefault(product_id, []).append((min_quantity, unit_price))
    return table


def lock_credit_account(*, partner_id: int) -> CreditAccount:
    """Lock the partner's credit row (creating an empty one if missing) so that two
    concurrent orders cannot both pass the limit. Call inside a transaction, after
    locking the order."""
    account, _ = CreditAccount.objects.get_or_create(partner_id=partner_id)
    return CreditAccount.objects.select_for_update().get(pk=account.pk)


def try_draw_credit(*, partner_id: int, amount: Decimal) -> tuple[bool, CreditAccount]:
    """Add `amount` to the open balance if it stays within the limit; return whether
    it did, and the (locked) account."""
    account = lock_credit_account(partner_id=partner_id)
    if account.open_balance + amount > account.credit_limit:
        return False, account
    CreditAccount.objects.filter(pk=account.pk).update(open_balance=F("open_balance") + amount)
    account.open_balance += amount
    return True, account


def draw_credit_over_limit(*, partner_id: int, amount: Decimal) -> CreditAccount:
    """Add `amount` to the open balance whatever the limit: the back office released
    a credit hold and takes the risk."""
    account = lock_credit_account(partner_id=partner_id)
    CreditAccount.objects.filter(pk=account.pk).update(open_balance=F("open_balance") + amount)
    account.open_balance += amount
    return account


def return_credit(*, partner_id: int, amount: Decimal) -> None:
    """Take a cancelled on-account order's total off the open balance."""
    account = lock_credit_account(partner_id=partner_id)
    new_balance = max(Decimal("0"), account.open_balance - amount)
    CreditAccount.objects.filter(pk=account.pk).update(open_balance=new_balance)
