"""How the portal words a campaign for its buyers: where a pre-book line stands
("requested 600, allocated 450, 150 waitlisted, 3rd in line"), the pre-booking window
on the supplier's clock, and why pre-booking is closed. Pure functions of what they
are given, `now` included, so that a controlled clock tests them."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from orders.campaign_standings import LineStanding
from orders.models import Campaign
from portal.promise_text import day_text, time_left_text


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st, 22nd, 101st, 111th."""
    if 11 <= number % 100 <= 13:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def standing_text(standing: LineStanding, *, allocated: bool) -> str:
    """Where the line stands: "requested 600, waiting for the allocation" before the
    campaign's first committed run; after it "requested 600, allocated 450", then what
    waits and its place in line ("150 waitlisted, 3rd in line"), and what went back
    to the stock with a cancelled order."""
    if not allocated:
        return f"requested {standing.requested}, waiting for the allocation"
    parts = [f"requested {standing.requested}", f"allocated {standing.allocated}"]
    if standing.waitlisted:
        parts.append(f"{standing.waitlisted} waitlisted")
        if standing.waitlist_position:
            parts.append(f"{ordinal(standing.waitlist_position)} in line")
    if standing.forfeited:
        parts.append(f"{standing.forfeited} released when its order was cancelled")
    return ", ".join(parts)


def moment_text(moment: datetime) -> str:
    """A moment on the supplier's clock, named: "Sat 7 Feb, 18:00 Amsterdam time"."""
    local = timezone.localtime(moment)
    clock = settings.TIME_ZONE.rpartition("/")[2].replace("_", " ")
    return f"{day_text(local.date())}, {local:%H:%M} {clock} time"


def window_text(campaign: Campaign, now: datetime) -> str:
    """Where the pre-booking window stands at `now`, on the supplier's clock."""
    if campaign.is_allocated:
        return f"Allocated on {moment_text(campaign.first_committed_at)}: pre-booking is closed."
    if now < campaign.opens_at:
        return (
            f"Pre-booking opens {moment_text(campaign.opens_at)} (in {time_left_text(now, campaign.opens_at)}) "
            f"and closes {moment_text(campaign.closes_at)}."
        )
    if now <= campaign.closes_at:
        return (
            f"Pre-booking is open until {moment_text(campaign.closes_at)}: "
            f"{time_left_text(now, campaign.closes_at)} left."
        )
    return f"Pre-booking closed {moment_text(campaign.closes_at)}; the allocation follows."


def closed_text(campaign: Campaign, now: datetime) -> str:
    """Why a pre-book cannot be placed, changed or withdrawn at `now`."""
    if campaign.is_allocated:
        return f"Campaign {campaign.code} has been allocated: pre-books can no longer be placed or changed."
    if now < campaign.opens_at:
        return f"Pre-booking for {campaign.code} opens {moment_text(campaign.opens_at)}; nothing was changed."
    return f"Pre-booking for {campaign.code} closed {moment_text(campaign.closes_at)}; nothing was changed."


def status_label(campaign: Campaign, now: datetime) -> str:
    """A word for the campaigns list: open, opens soon, closed, allocated."""
    if campaign.is_allocated:
        return "Allocated"
    if now < campaign.opens_at:
        return "Opens soon"
    return "Open" if now <= campaign.closes_at else "Closed, awaiting allocation"
