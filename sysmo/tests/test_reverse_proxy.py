"""The production stack for real: gunicorn (deploy/gunicorn.conf.py) behind nginx with the sample
configuration (deploy/nginx.conf, only ports and paths changed), DEBUG off, collected static files, HTTPS.

Everything runs on free loopback ports with files of its own under a temporary folder; the machine's nginx
is never touched. Needs Debian's nginx (/usr/sbin/nginx) and openssl; CI=true fails without them.
"""

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import _free_port, require_service

ROOT = Path(__file__).resolve().parents[2]
NGINX = Path("/usr/sbin/nginx")
PYTHON_BIN = Path(sys.executable).parent
LOGIN = ("admin@demo.sysmo.ar", "demo-sysmo-2026")  # manage.py seed_demo
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def site_config(tmp, app_port, http_port, https_port, cert, key):
    """deploy/nginx.conf with this test's ports, certificate and static folder."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    for line in ("    listen [::]:80;\n", "    listen [::]:443 ssl http2;\n"):
        assert line in text
        text = text.replace(line, "")
    replacements = {
        "server 127.0.0.1:8000": f"server 127.0.0.1:{app_port}",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "return 301 https://soporte.example.com$request_uri": f"return 301 https://127.0.0.1:{https_port}$request_uri",
        "server_name soporte.example.com": "server_name 127.0.0.1",
        "/etc/letsencrypt/live/soporte.example.com/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/soporte.example.com/privkey.pem": str(key),
        "/srv/sysmo/staticfiles/": f"{tmp}/static/",
    }
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def main_config(tmp, connections=64):
    user = "user root;\n" if os.geteuid() == 0 else ""
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "".join(f"    {kind}_temp_path {tmp}/{kind};\n" for kind in kinds)
    return (f"{user}daemon off;\npid {tmp}/nginx.pid;\nerror_log {tmp}/nginx-error.log;\n"
            f"events {{ worker_connections {connections}; }}\n"
            f"http {{\n    include /etc/nginx/mime.types;\n    access_log {tmp}/nginx-access.log;\n{temp}"
            f"    include {tmp}/site.conf;\n}}\n")


def wait_for(url, process, what, log, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} stopped; see its log in {log}: {Path(log).read_text()[-2000:]}")
        try:
            client().get(url, timeout=10, allow_redirects=False)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.3)
    pytest.fail(f"{what} did not answer at {url} within {seconds} s")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not NGINX.exists() or not shutil.which("openssl"):
        require_service("nginx (/usr/sbin/nginx) and openssl")
    tmp = tmp_path_factory.mktemp("proxy")
    app_port, http_port, https_port = _free_port(), _free_port(), _free_port()
    site = f"https://127.0.0.1:{https_port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_", "CELERY_", "EMAIL_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="sysmo.settings", DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1", SITE_URL=site, DATABASE_URL=f"sqlite:///{tmp}/db.sqlite3",
        STATIC_ROOT=str(tmp / "static"), PRIVATE_MEDIA_ROOT=str(tmp / "private"),
        TRUST_X_FORWARDED_PROTO="true", TRUSTED_CLIENT_IP_HEADER="X-Real-IP", HSTS_SECONDS="3600",
        GUNICORN_BIND=f"127.0.0.1:{app_port}", GUNICORN_WORKERS="2",
    )
    manage = [sys.executable, "manage.py"]
    for command in (["collectstatic", "--noinput"], ["migrate", "--noinput"], ["seed_demo"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)  # noqa: S603
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",  # noqa: S607
         "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True,
    )
    (tmp / "site.conf").write_text(site_config(tmp, app_port, http_port, https_port, cert, key))
    (tmp / "nginx.conf").write_text(main_config(tmp))
    processes = []
    try:
        gunicorn = subprocess.Popen(  # noqa: S603
            [str(PYTHON_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py"], cwd=ROOT, env=env,
            stdout=(tmp / "gunicorn.log").open("w"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        processes.append(gunicorn)
        wait_for(f"http://127.0.0.1:{app_port}/health/", gunicorn, "gunicorn", tmp / "gunicorn.log")
        nginx = subprocess.Popen(  # noqa: S603
            [str(NGINX), "-e", str(tmp / "nginx-error.log"), "-p", str(tmp), "-c", str(tmp / "nginx.conf")],
            stdout=(tmp / "nginx.out").open("w"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        processes.append(nginx)
        wait_for(f"{site}/health/", nginx, "nginx", tmp / "nginx-error.log")
        yield {"site": site, "http": f"http://127.0.0.1:{http_port}", "app": f"http://127.0.0.1:{app_port}",
               "cert": str(cert)}
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def client(cert=None):
    """A requests session trusting only `cert` (our test certificate); no proxy or CA bundle from the environment."""
    session = requests.Session()
    session.trust_env = False
    session.verify = cert or False
    return session


@pytest.fixture
def browser(stack):
    return client(stack["cert"])


pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


def test_a_page_comes_through_https_with_the_production_headers(stack, browser):
    response = browser.get(stack["site"] + "/")
    assert response.status_code == 200
    assert "Sysmo Tickets" in response.text
    assert response.headers["Strict-Transport-Security"] == "max-age=3600; includeSubDomains"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_plain_http_is_sent_to_https(stack, browser):
    response = browser.get(stack["http"] + "/solicitudes/?a=1", allow_redirects=False)
    assert response.status_code == 301
    assert response.headers["Location"] == stack["site"] + "/solicitudes/?a=1"


def test_a_static_file_is_served_by_nginx_cached_forever(stack, browser):
    page = browser.get(stack["site"] + "/").text
    path = re.search(r'href="(/static/css/sysmo\.[0-9a-f]+\.css)"', page).group(1)
    response = browser.get(stack["site"] + path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/css; charset=utf-8"
    assert "immutable" in response.headers["Cache-Control"]
    assert response.content == (ROOT / "static" / "css" / "sysmo.css").read_bytes()


def test_logging_in_works_through_the_proxy_with_secure_cookies(stack, browser):
    form = browser.get(stack["site"] + "/accounts/login/")
    assert "Secure" in form.headers["Set-Cookie"] or "secure" in form.headers["Set-Cookie"]
    data = dict(HIDDEN.findall(form.text))
    data.update(login=LOGIN[0], password=LOGIN[1])
    response = browser.post(stack["site"] + "/accounts/login/", data=data, allow_redirects=False,
                            headers={"Referer": stack["site"] + "/accounts/login/", "Origin": stack["site"]})
    assert response.status_code == 302, response.text[:500]
    session_cookie = next(c for c in browser.cookies if c.name == "sessionid")
    assert session_cookie.secure
    home = browser.get(stack["site"] + "/solicitudes/")
    assert home.status_code == 200
    assert "Laura Fernández" in home.text


def test_the_app_does_not_believe_a_forwarded_proto_the_client_wrote(stack):
    """Straight to gunicorn (no proxy) with a forged header from elsewhere is not HTTPS: nginx overwrites it,
    gunicorn believes it from 127.0.0.1 only; the site itself always comes through nginx."""
    response = client(stack["cert"]).get(stack["site"] + "/", allow_redirects=False,
                                         headers={"X-Forwarded-Proto": "http", "X-Forwarded-For": "1.2.3.4"})
    assert response.status_code == 200  # nginx said https: no redirect loop, the forged value was dropped
