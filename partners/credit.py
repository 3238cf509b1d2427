"""The on-account credit check: open balance + order total <= credit limit, decided
under a lock on the partner's credit row so that two concurrent orders cannot both
pass the limit. The journey draws the credit when it reserves the order's stock
(journey.steps.reserve), so an order past its headroom reserves nothing."""

from collections.abc import Iterable
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


def try_draw_credit(*, partner_id: int, amount: Decimal) -> bool:
    """Add `amount` to the open balance if it stays within the limit, and return
    whether it did. One statement: the UPDATE locks the credit row and re-checks the
    limit against the balance as the last committed draw left it, so two concurrent
    orders cannot both pass a headroom that fits only one. A partner without a credit
    row has no headroom. Call inside a transaction, after locking the order (and the
    stock rows it reserves: docs/ARCHITECTURE.md, "Lock order")."""
    return bool(
        CreditAccount.objects.filter(pk=partner_id, open_balance__lte=F("credit_limit") - amount).update(
            open_balance=F("open_balance") + amount
        )
    )


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


class CreditDraws:
    """The credit checks of a batch of on-account orders, each against its partner's
    running balance (the draws of the batch's earlier orders included), as
    `try_draw_credit` would decide them one by one: one statement locks the
    partners' credit rows, in partner-id order, at the first check (so overlapping
    batches wait for each other instead of deadlocking), and `save` writes every draw
    in one more. Use inside one transaction, after locking the orders and the stock
    rows they reserve."""

    def __init__(self, partner_ids: Iterable[int]):
        self._partner_ids = sorted(set(partner_ids))
        self._accounts: dict[int, CreditAccount] | None = None
        self._drawn: dict[int, Decimal] = {}

    def _locked_accounts(self) -> dict[int, CreditAccount]:
        if self._accounts is None:
            self._accounts = {
                account.partner_id: account
                for account in CreditAccount.objects.select_for_update().filter(pk__in=self._partner_ids).order_by("pk")
            }
        return self._accounts

    def try_draw(self, *, partner_id: int, amount: Decimal) -> bool:
        """Draw `amount` if the partner's running balance stays within its limit, and
        return whether it did. A partner without a credit row has no headroom."""
        account = self._locked_accounts().get(partner_id)
        if account is None:
            return False
        drawn = self._drawn.get(partner_id, Decimal("0"))
        if account.open_balance + drawn + amount > account.credit_limit:
            return False
        self._drawn[partner_id] = drawn + amount
        return True

    def standing(self, partner_id: int) -> tuple[Decimal, Decimal] | None:
        """Return the partner's (open balance with this batch's draws, credit limit),
        or None without a credit row."""
        account = self._locked_accounts().get(partner_id)
        if account is None:
            return None
        return account.open_balance + self._drawn.get(partner_id, Decimal("0")), account.credit_limit

    def save(self) -> None:
        """Add what was drawn to each partner's open balance, in one statement."""
        if not self._drawn:
            return
        with connection.cursor() as cursor:
            cursor.execute(_ADD_TO_OPEN_BALANCES_SQL, [list(self._drawn), list(self._drawn.values())])
