"""A WSGI application that answers with the process id of the worker serving it, for
tests of how gunicorn shares connections among its workers. `/slow` takes 0.5 s."""

import os
import time


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/slow":
        time.sleep(0.5)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]
