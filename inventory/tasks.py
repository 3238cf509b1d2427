"""django-q2 tasks of the inventory: thin, idempotent, safe to run twice or at once."""

from inventory.waste import write_off_expired_lots


def expire_lots_task() -> dict:
    # Hourly, not daily: each warehouse's day ends at its own midnight, so an hourly
    # run writes a lot off within the hour after its last day ends, wherever it is.
    written = write_off_expired_lots()
    return {"lots": len(written), "units": sum(w.units for w in written)}
