"""The on-account credit check: open balance + order total <= credit limit, decided
under a lock on the partner's credit row so that two concurrent orders cannot both
pass the limit."""

from decimal import Decimal

from django.db import connection
from django.db.models import F

from partners.models import CreditAccount


def lock_credit_account(*, partner_id: int) -> CreditAccount:
    """Lock the partner's credit row (creating an empty one if missing) so that two
    concurrent orders cannot both pass the limit. Call inside a transaction, after
    locking the order."""
    account = CreditAccount.objects.select_for_update().filter(pk=partner_id).first()
    if account is None:
        CreditAccount.objects.get_or_create(partner_id=partner_id)
        account = CreditAccount.objects.select_for_update().get(pk=partner_id)
    return account


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


_ADD_TO_OPEN_BALANCES_SQL = """
UPDATE partners_creditaccount c
   SET open_balance = c.open_balance + d.amount
  FROM unnest(%s::bigint[], %s::numeric[]) AS d(partner_id, amount)
 WHERE c.partner_id = d.partner_id
"""


def try_draw_credit_for_orders(*, orders: list[tuple[int, int, Decimal]]) -> dict[int, tuple[bool, Decimal, Decimal]]:
    """Do what `try_draw_credit` does for each (order id, partner id, amount) in the
    list given, against a running balance per partner, with two statements for the
    lot; return per order id whether its amount was drawn, and the open balance and
    credit limit its check saw (the draws of earlier orders included). The accounts
    are locked in partner-id order, so overlapping batches wait for each other instead
    of deadlocking. Orders of a partner without a credit row are left out of the
    answer: creating one is `lock_credit_account`'s job. Call inside a transaction,
    after locking the orders."""
    accounts = {
        account.partner_id: account
        for account in CreditAccount.objects.select_for_update()
        .filter(pk__in={partner_id for _, partner_id, _ in orders})
        .order_by("pk")
    }
    balances = {partner_id: account.open_balance for partner_id, account in accounts.items()}
    checks: dict[int, tuple[bool, Decimal, Decimal]] = {}
    for order_id, partner_id, amount in orders:
        if partner_id not in accounts:
            continue
        limit = accounts[partner_id].credit_limit
        within_limit = balances[partner_id] + amount <= limit
        checks[order_id] = (within_limit, balances[partner_id], limit)
        if within_limit:
            balances[partner_id] += amount
    drawn = {
        partner_id: balance - accounts[partner_id].open_balance
        for partner_id, balance in balances.items()
        if balance != accounts[partner_id].open_balance
    }
    if drawn:
        with connection.cursor() as cursor:
            cursor.execute(_ADD_TO_OPEN_BALANCES_SQL, [list(drawn), list(drawn.values())])
    return checks
