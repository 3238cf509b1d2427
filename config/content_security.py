"""The Content-Security-Policy header, as django-csp writes it, without building it
anew for every response. django-csp builds both policies (enforced and report-only)
from the settings on each response, some tenths of a millisecond of every order at
intake's rate; a response that changes nothing of the policy (no `csp_update`,
`csp_replace` or `csp_exempt` decorator, no nonce asked for) gets the same header
every time, so it is built once per settings object and kept. Anything else goes the
library's way."""

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings

# What django-csp's decorators set on a response to change or drop the policy.
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


class CachedPolicyCSPMiddleware(CSPMiddleware):
    _built_for: tuple = (None, None)
    _headers: tuple[str, str] = ("", "")

    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_RESPONSE)
            or (settings.DEBUG and response.status_code in (404, 500))
            or self._excluded(request)
        ):
            return super().process_response(request, response)
        policy, report_only = self._policies()
        if policy and HEADER not in response:
            response[HEADER] = policy
        if report_only and HEADER_REPORT_ONLY not in response:
            response[HEADER_REPORT_ONLY] = report_only
        # As the library does: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def _policies(self) -> tuple[str, str]:
        configured = (
            getattr(settings, "CONTENT_SECURITY_POLICY", None),
            getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None),
        )
        built_for = CachedPolicyCSPMiddleware._built_for
        if configured[0] is not built_for[0] or configured[1] is not built_for[1]:
            CachedPolicyCSPMiddleware._headers = (build_policy(), build_policy(report_only=True))
            CachedPolicyCSPMiddleware._built_for = configured
        return CachedPolicyCSPMiddleware._headers

    @staticmethod
    def _excluded(request) -> bool:
        for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
            prefixes = (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
            if prefixes and request.path_info.startswith(tuple(prefixes)):
                return True
        return False
