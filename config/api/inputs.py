"""Strict input parsing that every ERP write of the API shares: JSON types as sent (no
"12" for 12), no field the endpoint does not know, and query-string filters that name
each bad parameter."""

from collections.abc import Mapping

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError

from config.api.errors import flatten_validation_errors
from config.errors import DomainError


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
