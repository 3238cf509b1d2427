"""What inventory tells the apps above it, which it may not import: `stock_grew`, sent
once the transaction that grew products' supply has committed (a lot synced in with
more units, or with dates that may serve other days), with `product_ids`. The orders
app listens, to serve a peak campaign's waitlist (orders.waitlist). Receivers must not
raise: the write they follow has committed."""

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

stock_grew = Signal()


class StockGrewAnnouncement:
    """The one `stock_grew` a transaction owes, with every product it grew."""

    __slots__ = ("product_ids",)

    def __init__(self):
        self.product_ids: set[int] = set()

    def __call__(self) -> None:
        # send_robust: a receiver's failure is logged, never raised into the writer.
        stock_grew.send_robust(sender=StockGrewAnnouncement, product_ids=sorted(self.product_ids))


def _pending_announcement() -> StockGrewAnnouncement | None:
    # Django keeps the transaction's on_commit callbacks here and drops those of a
    # savepoint that rolls back (products added since to one kept only cost a check).
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    return next((entry[1] for entry in connection.run_on_commit if isinstance(entry[1], StockGrewAnnouncement)), None)


def announce_stock_grew_on_commit(product_ids: Iterable[int]) -> None:
    """Send `stock_grew` for these products once the current transaction commits (at
    once outside one), nothing if it rolls back: one signal per transaction, so a stock
    file of a thousand rows sends one."""
    announcement = _pending_announcement()
    if announcement is None:
        announcement = StockGrewAnnouncement()
        announcement.product_ids.update(product_ids)
        transaction.on_commit(announcement, robust=True)
    else:
        announcement.product_ids.update(product_ids)
