"""The supplier's day: the date on the site's clock (settings.TIME_ZONE), for every rule
that asks what "today" is (a campaign's date, a lot's expiry, the dates an order can
be for). `timezone.localdate()` reads the active zone instead, and the API activates
UTC for its whole request (config/api/utc.py) so that DRF writes moments in UTC: for
the hour (in summer two) after midnight in Amsterdam, the API's "today" was the day
before the portal's and the admin's."""

from datetime import date, datetime

from django.utils import timezone


def supplier_today(now: datetime | None = None) -> date:
    """Today on the supplier's clock, or the supplier's date of the moment `now`."""
    return timezone.localdate(now or timezone.now(), timezone.get_default_timezone())
