"""Content negotiation with a short way for what nearly every client asks: no Accept
header, `*/*`, or `application/json`, with no `?format=`. Those get the view's first
renderer at once, as DRF's own negotiation would give it after parsing the header
into media types (a few hundredths of a millisecond a request at intake's rate);
anything else is negotiated by DRF, 406 included."""

from rest_framework.negotiation import DefaultContentNegotiation

ANY = "*/*"
JSON = "application/json"


class ApiContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        accept = request.META.get("HTTP_ACCEPT", ANY)
        if (
            format_suffix is None
            and accept in (ANY, JSON)
            and renderers
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            first = renderers[0]
            if accept == ANY or first.media_type == JSON:
                return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
