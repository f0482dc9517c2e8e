"""Every page, as each kind of person, under the Content-Security-Policy: no inline script or style runs, and
the browser reports no violation (the `new_page` fixture fails the test on any; e2e/conftest.py CSP_LISTENER).

The pages are found by following the links each person sees, starting from the home page (plus the pages
nobody links to, like a 404), so a page added later is visited without changing this test. Pages that differ
only by an id or a query are visited once.
"""

import io
import re
from urllib.parse import urljoin, urlparse

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from e2e.helpers import assert_strict_csp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Not pages: files, exports, the language switch (a form), static files. Django's admin forms (add, change,
# password) are pages like any other: they must run under the policy too.
NOT_PAGES = re.compile(r"^/(static/|i18n/|informes/exportar/|solicitudes/\d+/adjuntos/|mis-datos/descargar/)"
                       r"|/admin/logout/")
MAX_PAGES = 120  # per person: far more than there are kinds of pages; stops a crawl that would never end

ROLES = {
    # who: (demo login or None, pages nobody links to, kinds of pages that must have been seen)
    "anonymous": (None, ["/no-existe/", "/accounts/password/reset/", "/accounts/signup/"],
                  {"/", "/accounts/login/", "/accounts/signup/", "/no-existe/"}),
    "client": ("cliente1@demo.sysmo.ar", ["/no-existe/"],
               {"/", "/solicitudes/", "/solicitudes/N/", "/solicitudes/nueva/", "/perfil/"}),
    "operator": ("operador1@demo.sysmo.ar", [],
                 {"/", "/solicitudes/", "/solicitudes/N/", "/perfil/", "/respuestas/", "/respuestas/nueva/",
                  "/respuestas/N/"}),
    "admin": ("admin@demo.sysmo.ar", ["/admin/", "/admin/accounts/user/"],
              {"/solicitudes/", "/solicitudes/N/", "/usuarios/", "/usuarios/N/", "/tematicas/", "/informes/",
               "/correo/", "/admin/"}),
}


def kind_of_page(path):
    return re.sub(r"/\d+(?=/)", "/N", path)


def crawl(page, start):
    """Visit `start` and every same-site page linked from what was visited; return the kinds of pages seen."""
    origin = urlparse(page.url or start[0]).netloc
    queue, seen, visited = list(start), set(), []
    while queue and len(visited) < MAX_PAGES:
        path = queue.pop(0)
        kind = kind_of_page(path)
        if kind in seen or NOT_PAGES.search(path):
            continue
        seen.add(kind)
        response = page.goto(path)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        assert_strict_csp(response.headers.get("content-security-policy", ""), path)
        visited.append(kind)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            url = urlparse(urljoin(page.url, href))
            if url.scheme in {"http", "https"} and url.netloc == origin and kind_of_page(url.path) not in seen:
                queue.append(url.path)
    return set(visited)


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_runs_under_the_csp_without_a_violation(role, new_page, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    email, unlinked, expected = ROLES[role]
    page = new_page(role)
    page.error_pages_expected.add(404)  # /no-existe/: our 404 page is one of the pages
    page.goto("/")
    if email:
        client = Client()
        client.force_login(User.objects.get(email=email))
        page.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
    seen = crawl(page, ["/", *unlinked])
    missing = expected - seen
    assert not missing, f"{role} never reached {sorted(missing)}; saw {sorted(seen)}"


def test_the_browser_check_catches_an_inline_script_a_style_attribute_and_a_handler(browser, live_server):
    """The check itself: a page of ours with inline behaviour, under our real policy, is reported."""
    from e2e.conftest import CSP_LISTENER, CSP_MESSAGES

    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    policy = page.request.get("/").headers["content-security-policy"]
    inline = ('<!doctype html><html><body><p style="color:red">x</p><script>document.title="x"</script>'
              '<img src="/static/img/sysmo-icon.svg" onload="document.title=1"></body></html>')
    page.route("**/probe/", lambda route: route.fulfill(
        status=200, headers={"content-type": "text/html", "content-security-policy": policy}, body=inline))
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto("/probe/")
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)
    context.close()
    reported = [m for m in messages if m.startswith("CSP violation:")]
    assert any("script-src-elem" in m for m in reported), messages
    assert any("style-src-attr" in m for m in reported), messages
    assert any("script-src-attr" in m for m in reported), messages
    assert all(any(word in m for word in CSP_MESSAGES) for m in messages), messages
