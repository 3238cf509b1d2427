"""gunicorn's settings for `make run` (the Procfile's `web` line loads them with
`-c python:config.gunicorn`); the address and worker count stay on that line.

The access log is one JSON object a line, like the application's own logs, so one
reader follows a request through both. The benchmark starts gunicorn without this file:
an access line per request is a cost it does not measure; it names the worker class
itself."""

from config.first_idle_worker import WORKER_CLASS

# The sync worker, but a connection goes to the first idle worker: at a steady rate one
# worker serves, with its caches warm (config/first_idle_worker.py says why).
worker_class = WORKER_CLASS

accesslog = "-"
access_log_format = (
    '{"time": "%(t)s", "level": "INFO", "logger": "gunicorn.access", "method": "%(m)s", "path": "%(U)s", '
    '"query": "%(q)s", "status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, "remote": "%(h)s"}'
)
# Long enough for a request in flight to finish; honcho sends SIGKILL 5 s after SIGTERM anyway.
graceful_timeout = 20
