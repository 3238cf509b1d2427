"""Strict input parsing that every ERP write of the API shares: JSON types as sent (no
"12" for 12), no field the endpoint does not know, and query-string filters that name
each bad parameter."""

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import NoReturn

from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError

from config.api.errors import flatten_validation_errors
from config.errors import DomainError, NotFoundError
from config.limits import matches_pattern


class WholeNumberField(serializers.IntegerField):
    """A JSON integer: "12", 12.0 and true are refused rather than guessed at."""

    default_error_messages = {"invalid": "A whole number (a JSON integer) is required."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class JsonBooleanField(serializers.BooleanField):
    """A JSON true or false: "yes", 1 and "true" are refused."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class JsonStringField(serializers.CharField):
    """A JSON string: 0 and true are refused rather than turned into "0" and "True".
    Blank is refused unless allow_blank, so the schema's minLength is 1. Its length is
    the schema's: counted as sent (bodies and query strings alike)."""

    default_error_messages = {"invalid": "Must be a JSON string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        # The schema's maxLength counts what was sent; DRF would count it after trimming.
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length, length=len(data))
        return super().to_internal_value(data)


# Money as the API writes it: a JSON string of digits with at most two decimals, never
# negative, "-", "." or "" (what the server refuses, the schema refuses too).
MONEY_PATTERN = r"^[0-9]{1,8}(\.[0-9]{1,2})?$"


@extend_schema_field({"type": "string", "format": "decimal", "pattern": MONEY_PATTERN, "example": "0.40"})
class MoneyField(serializers.DecimalField):
    """An amount of money in, as a JSON string ("0.40"): a JSON number is refused, as
    its binary value is not the decimal the ERP meant."""

    default_error_messages = {"invalid": 'A decimal string such as "0.40" is required.'}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        # DRF alone would take "1e3" and " 1".
        if not isinstance(data, str) or not matches_pattern(MONEY_PATTERN, data):
            self.fail("invalid")
        return super().to_internal_value(data)


# A wall-clock time as the calendar's inputs take it: "14:00", 00:00 to 23:59.
CLOCK_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


@extend_schema_field({"type": "string", "pattern": CLOCK_TIME_PATTERN, "example": "14:00"})
class ClockTimeField(serializers.Field):
    """A wall-clock time as a JSON string "HH:MM" (24-hour): "25:00", "9:00", "14:00:00"
    and 1400 are refused rather than guessed at. Answers in the same form."""

    default_error_messages = {"invalid": 'A time "HH:MM" from 00:00 to 23:59 is required, e.g. "14:00".'}

    def to_internal_value(self, data):
        if not isinstance(data, str) or not matches_pattern(CLOCK_TIME_PATTERN, data):
            self.fail("invalid")
        return time(int(data[:2]), int(data[3:]))

    def to_representation(self, value):
        return value.strftime("%H:%M")


# RFC 3339 date-time, as the schema's format says: an offset is required, a date alone is not a moment.
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def parse_rfc3339(value: str) -> datetime | None:
    """An RFC 3339 date-time as an aware UTC datetime (any offset a client sends), or
    None when `value` is not one."""
    try:
        if _DATE_TIME.fullmatch(value):
            # RFC 3339 allows "t" and "z", and a leap second, which Python has not: read
            # as the second before it.
            text = value.upper()
            moment = parse_datetime(text[:17] + "59" + text[19:] if text[17:19] == "60" else text)
            if moment is not None:
                return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        pass
    return None


class MomentField(serializers.DateTimeField):
    """A moment in, as an RFC 3339 date-time with its offset ("2027-01-15T09:00:00Z"):
    a date alone, a moment without an offset and a JSON number are refused rather than
    read in some time zone. Kept in UTC."""

    default_error_messages = {
        "invalid": 'An RFC 3339 date-time with its offset is required, e.g. "2027-01-15T09:00:00Z".'
    }

    def to_internal_value(self, value):
        moment = parse_rfc3339(value) if isinstance(value, str) else None
        if moment is None:
            self.fail("invalid")
        return moment


class StrictInput(serializers.Serializer):
    """An input that refuses fields it does not know, naming each, alongside the
    problems with the fields it does know."""

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, Mapping):
            unknown = {
                field: [ErrorDetail(f"Unknown field {field!r}.", code="unknown_field")]
                for field in sorted(set(data) - set(self.fields))
            }
        try:
            value = super().to_internal_value(data)
        except ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise ValidationError({**exc.detail, **unknown}) from None
            raise
        if unknown:
            raise ValidationError(unknown)
        return value


def parse_filters(filter_input: type[serializers.Serializer], request) -> dict:
    """Validate the query string with `filter_input` and return the filters given.
    Raise DomainError (`invalid_filter`) naming each bad parameter. Parameters the
    input does not name (page, page_size) pass by."""
    filters = filter_input(data=request.query_params.dict())
    if not filters.is_valid():
        errors = flatten_validation_errors(filters.errors)
        detail = "; ".join(f"{e['field']}: {e['detail']}" for e in errors)
        raise DomainError(detail, code="invalid_filter", errors=errors)
    return {name: value for name, value in filters.validated_data.items() if value not in (None, "")}


def refuse_filter(name: str, detail: str) -> NoReturn:
    """Raise the 400 `invalid_filter` naming the query parameter `name` and why."""
    raise DomainError(
        detail, code="invalid_filter", errors=[{"field": name, "code": "invalid_filter", "detail": detail}]
    )


def whole_number_param(request, name: str, *, default: int, minimum: int, maximum: int) -> int:
    """The query parameter `name` as a whole number within its bounds, or `default`
    when it is absent. Anything else (empty, "true", "-3", out of bounds) is 400
    `invalid_filter` naming it: what the schema's integer declares, the server holds."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    value = int(raw) if re.fullmatch(r"[0-9]{1,30}", raw) else None
    if value is None or not minimum <= value <= maximum:
        refuse_filter(name, f"{name} must be a whole number from {minimum} to {maximum}; got {raw!r}.")
    return value


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def path_date(name: str, value: str) -> date:
    """The path parameter `name` as a date written YYYY-MM-DD. Anything else
    ("2026-02-30", "20260214", "tomorrow") names no resource: 404 `invalid_date`
    naming the parameter and the value."""
    try:
        if _ISO_DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    detail = f"{name} {value!r} is not a date (YYYY-MM-DD, e.g. 2027-02-13)."
    raise NotFoundError(detail, code="invalid_date", errors=[{"field": name, "code": "invalid_date", "detail": detail}])
