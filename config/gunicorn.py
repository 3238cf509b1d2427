"""gunicorn's settings for `make run` (the Procfile's `web` line loads them with
`-c python:config.gunicorn`); the address and worker count stay on that line.

The access log is one JSON object a line, like the application's own logs, so one
reader follows a request through both. The benchmark starts gunicorn without this file:
an access line per request is a cost it does not measure."""

accesslog = "-"
access_log_format = (
    '{"time": "%(t)s", "level": "INFO", "logger": "gunicorn.access", "method": "%(m)s", "path": "%(U)s", '
    '"query": "%(q)s", "status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, "remote": "%(h)s"}'
)
# Long enough for a request in flight to finish; honcho sends SIGKILL 5 s after SIGTERM anyway.
graceful_timeout = 20
