"""nginx in front of a platform on one machine, from the production site file itself
(deploy/nginx/bouquet.conf): render its placeholders, wrap it in a main configuration
of the run's own, and run nginx in the foreground without root's folders (its prefix,
pid file, logs and temporary files all under the platform's folder in `.run/`)."""

import getpass
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_TEMPLATE = ROOT / "deploy" / "nginx" / "bouquet.conf"
PLACEHOLDERS = (
    "@LISTEN@",
    "@TLS@",
    "@WEB_SERVERS@",
    "@WEBHOOK_SERVERS@",
    "@STATIC_ROOT@",
    "@SCRAPER@",
    "@REFUSED_LOG@",
)

# What Debian's /etc/nginx/nginx.conf provides around a site in production, reduced to
# what a run needs. worker_connections: each proxied request holds two connections, and
# the load generator keeps up to 512 open, plus the requests queued upstream.
# worker_priority: nginx shares the cores with gunicorn's workers, and a refusal (503)
# must not wait for them to yield (deploy/README.md, "nginx").
MAIN_CONFIGURATION = """\
{user}worker_processes auto;
worker_priority -5;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
daemon off;

events {{
    worker_connections 8192;
}}

http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    log_format timed '$remote_addr [$time_iso8601] "$request" $status $request_time '
                     'upstream $upstream_addr $upstream_status $upstream_response_time';
    access_log {prefix}/access.log timed buffer=64k flush=1s;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/bouquet.conf;
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if not found:
        raise RuntimeError("nginx is not installed; scripts/ensure_nginx.sh installs it from Debian's packages")
    return found


# The requests nginx lets a web host's pool hold at once, per gunicorn worker
# (deploy/nginx/bouquet.conf says why each).
CONNECTIONS_PER_WEB_WORKER = 8
CONNECTIONS_PER_WEBHOOK_WORKER = 32
# Relative to nginx's prefix, where the bench and the tests run it (`-p`).
REFUSED_LOG = "refused.log"


def upstream_servers(addresses: list[str], max_conns: int) -> str:
    return "\n    ".join(
        f"server {address} max_fails=1 fail_timeout=5s max_conns={max_conns};" for address in addresses
    )


def render_site(
    *,
    listen: str,
    web_servers: list[str],
    static_root: Path,
    web_workers: int = 3,
    webhook_servers: list[str] | None = None,
    webhook_workers: int = 2,
    scraper: str = "127.0.0.1",
) -> str:
    """Return deploy/nginx/bouquet.conf with its placeholders filled in for one machine
    serving plain HTTP on `listen`, in front of the gunicorns at `web_servers`, each with
    `web_workers` workers, and the webhook pools at `webhook_servers`, each with
    `webhook_workers` (where none is named, the web servers serve the webhook too)."""
    if not web_servers:
        raise ValueError("an nginx site needs at least one web server (HOST:PORT) in its upstream")
    if webhook_servers is None:
        webhook_servers, webhook_workers = web_servers, web_workers
    values = {
        "@LISTEN@": listen,
        "@TLS@": "",
        "@WEB_SERVERS@": upstream_servers(web_servers, CONNECTIONS_PER_WEB_WORKER * web_workers),
        "@WEBHOOK_SERVERS@": upstream_servers(webhook_servers, CONNECTIONS_PER_WEBHOOK_WORKER * webhook_workers),
        "@STATIC_ROOT@": str(static_root),
        "@SCRAPER@": scraper,
        "@REFUSED_LOG@": REFUSED_LOG,
    }
    # Comments name the placeholders too, and keep them: a value may span lines.
    lines = SITE_TEMPLATE.read_text().splitlines(keepends=True)
    for index, line in enumerate(lines):
        if not line.lstrip().startswith("#"):
            for placeholder in PLACEHOLDERS:
                line = line.replace(placeholder, values[placeholder])
            lines[index] = line
    return "".join(lines)


def write_configuration(prefix: Path, site: str) -> Path:
    """Write the run's main configuration and the site into an emptied `prefix`, and
    return the main configuration's path."""
    shutil.rmtree(prefix, ignore_errors=True)
    prefix.mkdir(parents=True)
    (prefix / "bouquet.conf").write_text(site)
    # As root, nginx would hand its workers to `nobody`, who may not write the run's
    # temporary folders; elsewhere the directive is not allowed.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    main = prefix / "nginx.conf"
    main.write_text(MAIN_CONFIGURATION.format(user=user, prefix=prefix))
    return main


def nginx_argv(prefix: Path, main: Path, *extra: str) -> list[str]:
    """The command that runs nginx (in the foreground) with `main` as its configuration;
    `-e` keeps it from opening the system's error log before it reads `main`."""
    return [nginx_binary(), "-p", str(prefix), "-c", str(main), "-e", str(prefix / "error.log"), *extra]


def check_configuration(prefix: Path, main: Path) -> str:
    """Run `nginx -t` on the configuration; return its report, raise if nginx refuses."""
    completed = subprocess.run(nginx_argv(prefix, main, "-t"), capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"nginx refused the configuration in {prefix}:\n{completed.stderr}")
    return completed.stderr
