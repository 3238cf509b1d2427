"""How the API writes a moment, for every door and rule that writes one: UTC, always
six digits of microseconds, and "Z" (so a moment pasted raw into a URL still parses,
and the same instant reads the same in every answer). No Django here: the settings
(REST_FRAMEWORK's DATETIME_FORMAT) and the domain (intake's stored answer) read it."""

from datetime import UTC, datetime

UTC_TEXT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_text(moment: datetime) -> str:
    """A moment as the API writes it, for answers built by hand."""
    return moment.astimezone(UTC).strftime(UTC_TEXT_FORMAT)
