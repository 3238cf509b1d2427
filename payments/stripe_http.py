"""The HTTP client the Stripe SDK sends through (payments.gateway): the standard
library's `http.client` over one kept-alive connection per client.

The SDK's default, requests over urllib3, cost about 1.6 ms of CPU per call here
(profiled, issue 20: two calls a card order, more than the journey's database work
for it). The SDK takes any `stripe.HTTPClient`; this one does what the journey's calls
need: a request, its whole answer, a timeout, and a connection kept for the next call
and replaced when the server has closed it. The gateway keeps a client per thread,
so a connection is never shared between threads. It is not used through a proxy
(the gateway then keeps the SDK's own client)."""

import http.client
import select
import ssl
from collections.abc import Mapping
from urllib.parse import urlsplit

import stripe


class KeptAliveHTTPClient(stripe.HTTPClient):
    name = "http.client"

    def __init__(self, *, timeout: float):
        super().__init__()
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None
        self.origin: tuple[str, str] | None = None

    def request(
        self, method: str, url: str, headers: Mapping[str, str] | None, post_data=None, **_ignored
    ) -> tuple[bytes, int, dict[str, str]]:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        body = post_data.encode() if isinstance(post_data, str) else post_data
        connection = self._connection_to(parts.scheme, parts.netloc)
        try:
            connection.request(method.upper(), target, body=body, headers=dict(headers or {}))
            answer = connection.getresponse()
            content = answer.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()  # a half-read answer must not be read by the next call
            raise stripe.APIConnectionError(
                f"Unexpected error communicating with Stripe. (Network error: {exc!r})"
            ) from exc
        if answer.will_close:
            self.close()
        return content, answer.status, {name.lower(): value for name, value in answer.getheaders()}

    def _connection_to(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        if self.connection is not None and (self.origin != (scheme, netloc) or _closed_by_server(self.connection)):
            self.close()
        if self.connection is None:
            if scheme == "https":
                self.connection = http.client.HTTPSConnection(
                    netloc, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                self.connection = http.client.HTTPConnection(netloc, timeout=self.timeout)
            self.origin = (scheme, netloc)
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection = self.origin = None


def _closed_by_server(connection: http.client.HTTPConnection) -> bool:
    """Whether a kept connection was closed at the other end while it waited (its socket
    reads as ready with no request sent): a request sent on it would fail, so it is
    replaced first, as urllib3 does."""
    if connection.sock is None:
        return False
    readable, _, _ = select.select([connection.sock], [], [], 0)
    return bool(readable)
