"""The reconciliation's nightly task (a django-q2 schedule, payments/migrations)."""

from payments.reconciliation import reconcile


def reconcile_last_day() -> int:
    """Return the run's id."""
    return reconcile().id
