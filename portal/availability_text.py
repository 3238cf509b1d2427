"""What the portal says about availability for the cart's delivery date: which date
counts (the one chosen in the picker while it is still an option, else the earliest:
portal.delivery_dates), how long the flowers last in the vase, and a warning for a line
asking more than is available. The counting is orders.availability's; no rule here."""

from inventory.availability import Availability
from orders.availability import CatalogueBasis, catalogue_basis
from orders.models import Cart
from partners.models import Partner
from portal.delivery_dates import DeliveryDates, delivery_dates


def cart_basis(*, partner: Partner, cart: Cart, dates: DeliveryDates | None = None) -> CatalogueBasis:
    """The date and rule the catalogue, quick order and the cart count availability
    for: the cart's date while its address's route still offers it, else the earliest
    option (today when no route serves the address). `dates`: the address's, when the
    page has them already."""
    dates = dates or delivery_dates(partner=partner, address_id=cart.ship_to_id)
    day = dates.chosen(cart.requested_delivery_date)
    if day is None:
        return catalogue_basis(partner=partner, address_id=cart.ship_to_id)
    # An option of the promise, judged on its route's clock: not judged again on the
    # site's, which may already be a day on (a route west of it, late in its evening).
    return CatalogueBasis(delivery_date=day, partner=partner)


def day_text(basis: CatalogueBasis) -> str:
    return basis.delivery_date.strftime("%a %-d %b")


def vase_text(availability: Availability) -> str | None:
    """ "At least 4 days in the vase (up to 9)": the days of life on the delivery date of
    the lot a buyer gets first (lots are taken first expiring first), and of the
    freshest beside it when they differ; None when nothing left perishes."""
    least, most = availability.days_at_least, availability.days_up_to
    if least is None:
        return None
    text = f"At least {least} day{'s' if least != 1 else ''} in the vase"
    return f"{text} (up to {most})" if most is not None and most != least else text


def shortfall_text(*, sku: str, quantity: int, availability: Availability | None, basis: CatalogueBasis) -> str | None:
    """The warning for a line asking more than is available for the date (None when
    it fits). A warning, not a refusal: the reserve step decides when the order is
    placed, and stock may arrive before then."""
    available = availability.available if availability is not None else 0
    if quantity <= available:
        return None
    return (
        f"{sku}: {available} available for delivery on {day_text(basis)}, fewer than the {quantity} asked; "
        "the order is cancelled out of stock unless more arrives."
    )
