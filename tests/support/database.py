"""Asking the database itself whether it accepts a write."""

from django.db import IntegrityError, transaction


def refused(make) -> bool:
    """Whether the database rejects what `make` writes (the attempt is rolled back)."""
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False
