"""A ship-to address must be the ordering partner's own: the one rule that intake, the
cart's checkout and CSV upload apply. It reads nothing: each caller passes the
partner's addresses it already holds (intake from its per-process cache, so placing
an order gains no query)."""

from collections.abc import Collection, Mapping

from partners.exceptions import InvalidShipToError
from partners.models import ShipToAddress


def partner_ship_to_id(
    *,
    ship_to,
    partner_code: str,
    ship_to_ids: Collection[int],
    ids_by_label: Mapping[str, int] | None = None,
) -> int | None:
    """Return the id of the partner's address that `ship_to` names, or None when it
    names none (None or ""), leaving the default to the caller. `ship_to` is an
    address, its id, or its id as text; with `ids_by_label` (lower-cased label to id)
    also its label, in any case. Raise InvalidShipToError (`invalid_ship_to`) naming
    the value and the partner when it names no address of the partner's."""
    if ship_to is None or ship_to == "":
        return None
    if isinstance(ship_to, ShipToAddress):
        ship_to = ship_to.id
    found = None
    if isinstance(ship_to, int) and not isinstance(ship_to, bool):
        found = ship_to if ship_to in ship_to_ids else None
    elif isinstance(ship_to, str):
        text = ship_to.strip()
        # Only an id as written by str(id): "012" or "+12" may be a label, not 12.
        if text.isascii() and text.isdigit() and str(int(text)) == text and int(text) in ship_to_ids:
            found = int(text)
        elif ids_by_label is not None:
            found = ids_by_label.get(text.lower())
    if found is None:
        hint = " (give its id or label)" if ids_by_label is not None else ""
        detail = f"ship_to {ship_to} is not one of {partner_code}'s addresses{hint}."
        problem = {"field": "ship_to", "code": InvalidShipToError.code, "detail": detail}
        raise InvalidShipToError(detail, errors=[problem])
    return found
