"""The production nginx site (deploy/nginx/bouquet.conf) as nginx itself runs it: nginx
accepts it, stamps X-Request-Start so the web worker sheds a request that waited too
long, turns an unreachable web host into a 503 with Retry-After, and keeps /metrics
for the scraper; and its body-size limit is the application's largest upload."""

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings as django_settings

from bench import edge
from config.upload_limits import FORM_FIELDS_ALLOWANCE
from tests.deploy.conftest import free_port

pytestmark = pytest.mark.slow


def get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_nginx_accepts_the_rendered_site_with_two_web_hosts(tmp_path):
    site = edge.render_site(
        listen="127.0.0.1:8050", web_servers=["127.0.0.1:8060", "127.0.0.1:8070"], static_root=tmp_path
    )
    main = edge.write_configuration(tmp_path / "nginx", site)

    assert "test is successful" in edge.check_configuration(tmp_path / "nginx", main)
    assert not re.findall(r"@[A-Z_]+@", re.sub(r"#.*", "", site))  # every placeholder filled in


def test_the_body_limit_is_the_largest_upload_a_door_takes_with_its_form_fields(tmp_path):
    site = edge.render_site(listen="8050", web_servers=["127.0.0.1:8060"], static_root=tmp_path)
    (limit_kib,) = re.findall(r"^\s*client_max_body_size (\d+)k;", site, re.MULTILINE)
    largest_upload = max(django_settings.BOUQUET["IMPORT_MAX_BYTES"], django_settings.BOUQUET["CSV_UPLOAD_MAX_BYTES"])

    assert int(limit_kib) * 1024 == largest_upload + FORM_FIELDS_ALLOWANCE


def test_a_request_held_in_front_of_the_web_worker_past_the_bound_is_shed(run_nginx, delaying_relay, settings):
    settings.SHED_AFTER_SECONDS = 0.3
    base_url = run_nginx([delaying_relay.address])

    served = get(f"{base_url}/healthz")
    delaying_relay.delay_s = 0.8
    shed = get(f"{base_url}/healthz")

    assert served[0] == 200
    status, headers, body = shed
    assert status == 503 and headers["Retry-After"] == "1"
    assert json.loads(body)["code"] == "overloaded"


def test_nginx_stamps_the_request_over_what_the_client_sent(run_nginx, delaying_relay, settings):
    settings.SHED_AFTER_SECONDS = 0.3
    base_url = run_nginx([delaying_relay.address])

    # A stamp from 1970 would be shed, were it the client's that reached the worker.
    assert get(f"{base_url}/healthz", **{"X-Request-Start": "t=1.000"})[0] == 200


def test_no_reachable_web_host_is_a_503_with_retry_after_never_a_bare_502(run_nginx):
    base_url = run_nginx([f"127.0.0.1:{free_port()}"])  # nothing listens there

    status, headers, body = get(f"{base_url}/api/v1/orders/")

    assert status == 503 and int(headers["Retry-After"]) >= 1
    assert json.loads(body)["code"] == "unavailable"


def test_past_its_connections_a_web_host_is_spared_by_nginx_with_a_503_and_retry_after(
    run_nginx, delaying_relay, settings, tmp_path
):
    settings.SHED_AFTER_SECONDS = 30.0
    base_url = run_nginx([delaying_relay.address], web_workers=1)
    held = edge.CONNECTIONS_PER_WEB_WORKER  # max_conns of a host with one worker
    delaying_relay.delay_s = 1.5  # every request still in hand when the last arrives

    with ThreadPoolExecutor(max_workers=held + 4) as pool:
        answers = list(pool.map(lambda _: get(f"{base_url}/healthz"), range(held + 4)))

    assert Counter(status for status, _, _ in answers) == {200: held, 503: 4}
    refused = [(headers, body) for status, headers, body in answers if status == 503]
    assert all(headers["Retry-After"] and json.loads(body)["code"] == "unavailable" for headers, body in refused)
    # They never reached the application, whose shed counter misses them: nginx logs each.
    refused_log = tmp_path / f"nginx-{base_url.rsplit(':', 1)[1]}" / edge.REFUSED_LOG
    assert [line.split()[1:4] for line in refused_log.read_text().splitlines()] == [["503", '"GET', '/healthz"']] * 4


def test_metrics_answer_only_the_scraper(run_nginx, delaying_relay):
    elsewhere = run_nginx([delaying_relay.address], scraper="192.0.2.10")
    here = run_nginx([delaying_relay.address], scraper="127.0.0.1")

    assert get(f"{elsewhere}/metrics")[0] == 403
    assert get(f"{here}/metrics")[0] != 403


def test_a_form_posted_through_nginx_on_its_own_port_passes_the_csrf_origin_check(run_nginx, delaying_relay):
    """Django compares a POST's Origin with the host the request names: nginx must pass
    on the host the browser used, port and all (the bench's and the chaos run's nginx
    listen on 8050 and 8053), or every sign-in behind it is refused as forged."""
    base_url = run_nginx([delaying_relay.address])
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with browser.open(f"{base_url}/accounts/login/", timeout=20) as page:
        (token,) = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    sign_in = urllib.request.Request(
        f"{base_url}/accounts/login/",
        data=urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "nobody", "password": "x"}).encode(),
        headers={"Origin": base_url, "Referer": f"{base_url}/accounts/login/"},
    )

    with browser.open(sign_in, timeout=20) as answer:  # a 403 (CSRF) would raise
        assert answer.status == 200 and b"csrfmiddlewaretoken" in answer.read()  # the form again, for bad credentials
