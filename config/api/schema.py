"""What every API view's OpenAPI description shares: the error body and the error
answers any endpoint can give."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorOutput(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.ListField(child=serializers.DictField(), required=False)


STANDARD_ERRORS = {
    400: "Bad input: `code` says what, `errors` lists each field or line at fault.",
    401: "No or invalid token.",
    403: "Not allowed for this token.",
    413: "body_too_large: the request body is larger than this API accepts.",
    429: "throttled: the partner's (or staff user's) rate limit is reached; `Retry-After` says when to retry.",
}


def error_responses(**descriptions: str) -> dict[int, OpenApiResponse]:
    """The standard error answers, with endpoint-specific wording or extra codes given
    as keyword arguments named by status: error_responses(_404="order_not_found")."""
    wording = {**STANDARD_ERRORS, **{int(status.lstrip("_")): text for status, text in descriptions.items()}}
    return {status: OpenApiResponse(ErrorOutput, description=text) for status, text in sorted(wording.items())}
