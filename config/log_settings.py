"""Logging for every process: one JSON object a line on standard error, which the
process supervisor (honcho, systemd, a container runtime) collects. Kept apart from
config/settings.py, which passes the levels it reads from the environment."""


def json_logging(*, level: str, django_q_level: str) -> dict:
    """Return the LOGGING setting: `level` for the root and bouquet's loggers."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json"},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "django.db.backends": {"level": "WARNING"},
            # django-q2 logs a line per enqueue at INFO; our own wake-up log says more.
            "django-q": {"handlers": ["console"], "level": django_q_level, "propagate": False},
            "bouquet": {"handlers": ["console"], "level": level, "propagate": False},
            # The SDK logs every request at INFO; the gateway logs what matters.
            "stripe": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        },
    }
