"""The one place where the API turns errors into answers: JSON with a stable `code`,
a human `detail`, and `errors` listing each field or line at fault. No client mistake
answers 500 or an HTML page."""

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.api.parsers import BodyTooLarge
from config.api.throttling import throttled_detail
from config.error_pages import too_large_detail
from config.errors import ConflictError, DomainError, NotFoundError, UnprocessableError, summarise_errors

logger = logging.getLogger("bouquet.api")

DOMAIN_STATUS = ((NotFoundError, 404), (ConflictError, 409), (UnprocessableError, 422))

DRF_CODES = {
    exceptions.ParseError: "malformed_json",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    BodyTooLarge: "body_too_large",
}


def status_for(error: DomainError) -> int:
    for kind, code in DOMAIN_STATUS:
        if isinstance(error, kind):
            return code
    return status.HTTP_400_BAD_REQUEST


def flatten_validation_errors(detail, prefix: str = "") -> list[dict]:
    """Turn DRF's nested error dict into a flat list naming each field."""
    if isinstance(detail, dict):
        found = []
        for field, value in detail.items():
            name = f"{prefix}.{field}" if prefix and field != "non_field_errors" else (prefix or str(field))
            found.extend(flatten_validation_errors(value, name))
        return found
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [
                {"field": prefix or "body", "code": getattr(item, "code", "invalid"), "detail": str(item)}
                for item in detail
            ]
        found = []
        for index, item in enumerate(detail):
            found.extend(flatten_validation_errors(item, f"{prefix}[{index}]" if prefix else f"[{index}]"))
        return found
    return [{"field": prefix or "body", "code": getattr(detail, "code", "invalid"), "detail": str(detail)}]


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=status_for(exc))
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"code": "body_too_large", "detail": "The request body is larger than this API accepts."}, status=413
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_validation_errors(exc.detail)
        # DRF's details do not name their field ("This field is required."): the summary does.
        named = [
            {"detail": e["detail"] if e["field"] in ("body", "non_field_errors") else f"{e['field']}: {e['detail']}"}
            for e in errors
        ]
        return Response({"code": "invalid", "detail": summarise_errors(named), "errors": errors}, status=400)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real server error: Django's handler500 answers it
    code = next((c for kind, c in DRF_CODES.items() if isinstance(exc, kind)), getattr(exc, "default_code", "error"))
    if isinstance(exc, exceptions.AuthenticationFailed) and getattr(exc.detail, "code", code) != exc.default_code:
        code = exc.detail.code  # why a token was refused: token_revoked, token_expired
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if isinstance(exc, exceptions.Throttled):
        detail = throttled_detail(exc.wait, context)  # DRF's handler has set Retry-After
    response.data = {"code": code, "detail": detail}
    return response


def json_not_found(request, exception=None):
    return JsonResponse({"code": "not_found", "detail": f"Nothing at {request.path}."}, status=404)


def json_server_error(request):
    return JsonResponse(
        {"code": "server_error", "detail": "Something went wrong on our side; it has been logged."}, status=500
    )


def json_bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse({"code": "body_too_large", "detail": too_large_detail()}, status=413)
    return JsonResponse({"code": "bad_request", "detail": "The request could not be understood."}, status=400)
