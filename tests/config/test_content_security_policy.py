"""Every answer carries a strict Content-Security-Policy (django-csp, config/settings.py),
and no template of ours holds what it refuses: an inline script, an inline event
handler or an inline style. The browser half is tests/browser/test_content_security_policy.py."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

REQUIRED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/", "/api/docs/", "/healthz"])
def test_every_answer_carries_the_policy(client, path):
    response = client.get(path)

    policy = directives(response)
    for directive, value in REQUIRED.items():
        assert policy[directive] == value, (directive, policy)
    assert "unsafe" not in response["Content-Security-Policy"]


def test_signed_in_pages_carry_it_too(portal, staff_client):
    for client, path in ((portal, "/"), (staff_client, "/admin/")):
        response = client.get(path)
        assert response.status_code == 200
        assert directives(response)["script-src"] == "'self'"


@pytest.fixture
def staff_client(client, db):
    from django.test import Client

    from partners.factories import UserFactory

    staff = Client()
    staff.force_login(UserFactory(username="clerk", is_staff=True, is_superuser=True))
    return staff


def test_the_api_docs_start_from_a_script_file_not_an_inline_script(client):
    page = client.get("/api/docs/").content.decode()
    script = client.get("/api/docs/?script=")

    assert re.search(r'<script src="/api/docs/\?script="', page)
    assert not inline_scripts(page)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def inline_scripts(html: str) -> list[str]:
    """<script> elements with code in the page rather than a src (JSON data blocks are
    not run, so the policy lets them be)."""
    return [
        tag
        for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE)
        if "src=" not in tag and "application/json" not in tag
    ]


def inline_handlers(html: str) -> list[str]:
    return re.findall(r"<[^>]*\son[a-z]+\s*=", html, flags=re.IGNORECASE)


def inline_styles(html: str) -> list[str]:
    return re.findall(r"<style\b|\sstyle\s*=", html, flags=re.IGNORECASE)


def test_no_template_has_an_inline_script_handler_or_style():
    found = {}
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        problems = inline_scripts(text) + inline_handlers(text) + inline_styles(text)
        if problems:
            found[str(template.relative_to(TEMPLATES))] = problems
    assert found == {}


def test_the_scan_finds_what_it_looks_for():
    assert inline_scripts('<script>alert(1)</script><script src="/static/a.js"></script>') == ["<script>"]
    assert inline_handlers('<input type="checkbox" onchange="go(event)">')
    assert inline_styles('<p style="padding: 0">') and inline_styles("<style>p {}</style>")
    assert not inline_handlers('<a href="/x" class="button">') and not inline_styles('<p class="stylish">')


def test_the_policy_kept_between_answers_is_the_one_django_csp_builds(client, settings):
    from csp.utils import build_policy

    assert client.get("/healthz")["Content-Security-Policy"] == build_policy()
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'self'"]}
    }

    changed = client.get("/healthz")["Content-Security-Policy"]

    assert changed == build_policy() and "img-src 'self';" in changed + ";"


def test_an_answer_that_changes_its_policy_still_gets_its_own(rf):
    from csp.decorators import csp_update
    from django.http import HttpResponse

    from config.content_security import CachedPolicyCSPMiddleware

    @csp_update({"img-src": "https://images.example"})
    def view(request):
        return HttpResponse("ok")

    middleware = CachedPolicyCSPMiddleware(view)
    answer = middleware(rf.get("/page/"))

    assert "https://images.example" in answer["Content-Security-Policy"]
    plain = CachedPolicyCSPMiddleware(lambda request: HttpResponse("ok"))(rf.get("/other/"))
    assert "https://images.example" not in plain["Content-Security-Policy"]
