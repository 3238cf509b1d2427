"""/healthz says the process answers; /readyz that PostgreSQL and Redis do too."""

import pytest
from django.test import override_settings

REDIS_DOWN = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
}


@pytest.mark.django_db
def test_ready_when_database_and_redis_answer(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


@pytest.mark.django_db
def test_not_ready_naming_redis_when_redis_is_down_while_health_stays_up(client):
    with override_settings(CACHES=REDIS_DOWN):
        ready = client.get("/readyz")
        health = client.get("/healthz")

    assert ready.status_code == 503
    assert ready.json()["detail"] == "not ready: redis unreachable"
    assert set(ready.json()["failing"]) == {"redis"}
    assert health.status_code == 200


@pytest.mark.django_db
def test_not_ready_says_which_dependency_fails_but_never_the_error_text(client):
    with override_settings(CACHES=REDIS_DOWN):
        ready = client.get("/readyz")

    assert ready.status_code == 503
    assert ready.json() == {
        "status": "unavailable",
        "detail": "not ready: redis unreachable",
        "failing": {"redis": "unreachable"},
    }
    assert "127.0.0.1" not in ready.content.decode() and "Error" not in ready.content.decode()
