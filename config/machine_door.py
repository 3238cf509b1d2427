"""The machines' door: a request to the REST API that carries its token and no session
(an ERP, a warehouse system, a generated client) goes through MACHINE_MIDDLEWARE, the
short chain of the six middleware it needs, instead of the fifteen that people's doors
rely on. Sessions, the signed-in user, messages, CSRF tokens, sign-in lockout, staff
sessions and page policies have nothing to do with a token's request, and running them
cost intake 0.19 of 2.44 ms of CPU a request (issue 20: the split application against
the whole chain, measured interleaved in one process).

Everything else keeps the whole chain: the portal, the admin, the API docs, an API
request signed in with a session (DRF's SessionAuthentication reads the user the
session middleware set, and its CSRF check) and one with no credentials at all, so
that what they are answered is what it always was."""

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

API_PREFIX = "/api/v1/"


class MachineHandler(WSGIHandler):
    """Django's WSGI handler with MACHINE_MIDDLEWARE in place of MIDDLEWARE: the same
    URLs, views, signals (the database connection's life) and exception handling."""

    def load_middleware(self, is_async=False):
        # Django builds the chain from settings.MIDDLEWARE alone; lend it the machines'
        # list for the build, once, at start-up, before any request is served.
        people = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.MACHINE_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = people


def is_machine_request(environ: dict, session_cookie: str) -> bool:
    """A request to the API with an Authorization header and no session cookie."""
    return (
        environ.get("PATH_INFO", "").startswith(API_PREFIX)
        and "HTTP_AUTHORIZATION" in environ
        and f"{session_cookie}=" not in environ.get("HTTP_COOKIE", "")
    )


class DoorSplit:
    """The WSGI application: machines' requests to `machines`, the rest to `people`."""

    def __init__(self, people: WSGIHandler, machines: WSGIHandler):
        self.people = people
        self.machines = machines
        self.session_cookie = settings.SESSION_COOKIE_NAME

    def __call__(self, environ, start_response):
        door = self.machines if is_machine_request(environ, self.session_cookie) else self.people
        return door(environ, start_response)


def split_doors(people: WSGIHandler):
    """The application serving both doors, or `people` alone where the settings give
    machines no shorter chain (the webhook pool)."""
    if list(settings.MACHINE_MIDDLEWARE) == list(settings.MIDDLEWARE):
        return people
    return DoorSplit(people, MachineHandler())
