"""The server surface (issue 15, item 6): Debian's nginx with deploy/nginx/tadqiq.conf, on
loopback in front of the dashboard served as in production (``tadqiq serve --production``),
checked with real HTTP requests and a real browser through TLS.

What the proxy adds and the dashboard alone does not: the security headers (CSP with
``frame-ancestors 'none'``, X-Frame-Options, X-Content-Type-Options, Referrer-Policy, HSTS),
Secure cookie flags, ``/_stcore/metrics`` closed, plain HTTP redirected; and the websocket
still works through it (a sign-in renders the landing page under that CSP).
"""

from __future__ import annotations

import grp
import http.client
import os
import pwd
import re
import shutil
import ssl
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_fixtures import add_audit_marts, build_warehouse
from dashboard_server import free_port, running_dashboard

from tadqiq.access import Role, accounts
from tadqiq.i18n import FR

REPO_ROOT = Path(__file__).resolve().parents[1]
CONF = REPO_ROOT / "deploy" / "nginx" / "tadqiq.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CHROMIUM = Path("/usr/bin/chromium")
USER, PASSWORD = "surface.ministere", "surface-test-password-1"

if not Path(NGINX).exists():
    pytest.skip("Debian's nginx is not installed (.ci/system-packages)", allow_module_level=True)


def render(conf: str, upstream: int, http_port: int, https_port: int, tls: Path) -> str:
    """The shipped server blocks on loopback ports, with the test's certificate; nothing else
    of the file changes."""
    replaced = {
        "server 127.0.0.1:8501;": f"server 127.0.0.1:{upstream};",
        "    listen 80;\n": f"    listen 127.0.0.1:{http_port};\n",
        "    listen 443 ssl http2;\n": f"    listen 127.0.0.1:{https_port} ssl http2;\n",
        "/etc/ssl/tadqiq/fullchain.pem": str(tls / "cert.pem"),
        "/etc/ssl/tadqiq/privkey.pem": str(tls / "key.pem"),
    }
    for old, new in replaced.items():
        assert conf.count(old) == 1, old
        conf = conf.replace(old, new)
    return re.sub(r"\n\s*listen \[::\]:[^\n]*", "", conf)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    root = tmp_path_factory.mktemp("surface")
    data = root / "data"
    db = build_warehouse(root / "tadqiq.duckdb")
    add_audit_marts(db)
    accounts.write_accounts(
        [accounts.new_account(USER, Role.MINISTRY, None, PASSWORD)],
        data / "auth" / "accounts.json",
    )
    tls = root / "tls"
    tls.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem"),
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    env = {**os.environ, "TADQIQ_DATA_DIR": str(data), "TADQIQ_DASHBOARD_DB": str(db)}
    with running_dashboard(env, root / "streamlit.log", production=True) as direct:
        upstream = int(direct.rsplit(":", 1)[1])
        http_port, https_port = free_port(), free_port()
        prefix = root / "nginx"
        (prefix / "logs").mkdir(parents=True)
        site_conf = render(CONF.read_text(), upstream, http_port, https_port, tls)
        (prefix / "nginx.conf").write_text(
            # the workers as this user: started by root, nginx runs them as nobody, who cannot
            # enter pytest's 0700 folders to buffer a large answer (Plotly's script) to disk
            f"user {pwd.getpwuid(os.getuid()).pw_name} {grp.getgrgid(os.getgid()).gr_name};\n"
            f"worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log;\n"
            "events { worker_connections 256; }\n"
            "http {\n  include /etc/nginx/mime.types;\n"
            f"  access_log {prefix}/logs/access.log;\n"
            + "".join(
                f"  {kind}_temp_path {prefix}/{kind};\n"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + site_conf
            + "\n}\n"
        )
        command = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stderr
        nginx = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.PIPE)
        try:
            proxied = f"https://127.0.0.1:{https_port}"
            deadline = time.monotonic() + 20
            while True:
                try:
                    fetch(proxied + "/", tls)
                    break
                except OSError:
                    assert time.monotonic() < deadline and nginx.poll() is None, "nginx down"
                    time.sleep(0.2)
            yield {
                "direct": direct,
                "proxied": proxied,
                "plain": f"http://127.0.0.1:{http_port}",
                "tls": str(tls),
            }
        finally:
            nginx.terminate()
            nginx.wait(timeout=20)


def fetch(url: str, tls: Path | str | None = None) -> http.client.HTTPResponse:
    """One request, no redirect followed; the response (its body read)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    handlers: list[urllib.request.BaseHandler] = [NoRedirect()]
    if tls is not None:
        context = ssl.create_default_context(cafile=str(Path(tls) / "cert.pem"))
        handlers.append(urllib.request.HTTPSHandler(context=context))
    opener = urllib.request.build_opener(*handlers)
    try:
        response = opener.open(url, timeout=10)
    except urllib.error.HTTPError as error:  # 3xx/4xx: still a response to look at
        response = error
    response.read()
    return response


SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def test_the_proxy_adds_the_security_headers(site: dict[str, str]) -> None:
    direct = fetch(site["direct"] + "/")
    assert direct.status == 200
    assert not {h.lower() for h in direct.headers} & {*SECURITY_HEADERS, "content-security-policy"}
    for path in ("/", "/_stcore/metrics", "/nowhere"):  # errors too
        response = fetch(site["proxied"] + path, site["tls"])
        for header, value in SECURITY_HEADERS.items():
            assert response.headers[header] == value, (path, header)
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert response.headers["strict-transport-security"].startswith("max-age=31536000")
        assert "nginx/" not in (response.headers["server"] or "")  # no version


def test_metrics_are_closed_and_plain_http_redirects(site: dict[str, str]) -> None:
    assert fetch(site["direct"] + "/_stcore/metrics").status == 200  # Streamlit serves them
    assert fetch(site["proxied"] + "/_stcore/metrics", site["tls"]).status == 404
    assert fetch(site["proxied"] + "/_stcore/health", site["tls"]).status == 200  # loopback
    redirect = fetch(site["plain"] + "/collectivity?code=06.141.01.0")
    assert redirect.status == 301
    assert redirect.headers["location"].startswith("https://127.0.0.1")
    assert redirect.headers["location"].endswith("/collectivity?code=06.141.01.0")


def xsrf_cookie(response: http.client.HTTPResponse) -> set[str]:
    """The attributes of the XSRF cookie a response sets (Streamlit sets it on its health
    endpoint, which the page calls first)."""
    [cookie] = [c for c in response.headers.get_all("set-cookie") or [] if "_streamlit_xsrf" in c]
    return {part.strip().lower() for part in cookie.split(";")[1:]}


def test_cookies_through_the_proxy_are_secure(site: dict[str, str]) -> None:
    direct = xsrf_cookie(fetch(site["direct"] + "/_stcore/health"))
    assert "samesite=strict" in direct  # tadqiq serve --production asks Streamlit for it
    assert "secure" not in direct  # Streamlit without TLS: the proxy must add it
    proxied = xsrf_cookie(fetch(site["proxied"] + "/_stcore/health", site["tls"]))
    assert {"secure", "samesite=strict"} <= proxied
    assert "httponly" not in proxied  # the page copies it into each upload's header


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_signing_in_through_the_proxy_renders_under_its_policy(site: dict[str, str]) -> None:
    from playwright.sync_api import sync_playwright
    from test_browser import LAUNCH_ARGS, settle

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        page = browser.new_context(ignore_https_errors=True).new_page()
        blocked: list[str] = []
        page.on(
            "console",
            lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(site["proxied"] + "/")
        page.get_by_label(FR["login_user"]).fill(USER)
        page.get_by_label(FR["login_password"]).fill(PASSWORD)
        page.get_by_role("button", name=FR["login_submit"]).click()
        page.get_by_role("heading", name=FR["page_national"]).wait_for(timeout=60_000)
        settle(page)
        chart = page.locator('[data-testid="stPlotlyChart"] .main-svg').first
        chart.wait_for(timeout=60_000)  # drawn under the policy
        assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()
    # the policy blocks only what would leave for another origin (Streamlit's front end asks
    # Google's font server for some icons: a ministry network would not reach it either)
    outside = re.compile(r"Loading the \w+ '(https?://[^']+)' violates")
    assert all(outside.search(m) for m in blocked), blocked  # loads only, no script or style
    origins = {re.match(r"https?://[^/]+", outside.search(m)[1])[0] for m in blocked}
    assert origins <= {"https://fonts.gstatic.com"}, blocked


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_a_deep_link_survives_the_local_sign_in(site: dict[str, str]) -> None:
    """``/collectivity?code=…`` opened before signing in lands there after the sign-in (it
    landed on the role's first page, the path lost)."""
    from playwright.sync_api import sync_playwright
    from test_browser import LAUNCH_ARGS, settle

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        page = browser.new_context(ignore_https_errors=True).new_page()
        page.goto(site["proxied"] + "/collectivity?code=06.141.01.0")
        page.get_by_label(FR["login_user"]).fill(USER)
        page.get_by_label(FR["login_password"]).fill(PASSWORD)
        page.get_by_role("button", name=FR["login_submit"]).click()
        page.get_by_role("heading", name=FR["page_collectivity"]).first.wait_for(timeout=60_000)
        settle(page)
        assert page.url.endswith("/collectivity?code=06.141.01.0")
        assert "Casablanca" in page.locator('[data-testid="stMain"]').inner_text()
        browser.close()
