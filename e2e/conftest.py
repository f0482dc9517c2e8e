"""Browser journeys: Playwright's sync API driving Debian's Chromium against pytest-django's live server."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.accessibility import check_as_left, check_every_page

# Playwright's sync API runs an event loop in this thread; without this Django's ORM refuses to run
# in the test body ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"]
# Assertions wait for a page whose axe check is still running (a few seconds on a busy machine).
expect.set_options(timeout=15_000)
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    """Viewport name. Narrow it in a test with @pytest.mark.parametrize("viewport", ["phone"], indirect=True)."""
    return request.param


# A form we refuse comes back with its errors next to its fields and status 400 (a house rule); Chromium logs
# that as "Failed to load resource". It is the page itself, which the test checks: not a browser error.
LOAD_FAILED = "Failed to load resource: the server responded with a status of"
REFUSED_PAGE = f"{LOAD_FAILED} 400"

# Every page is served with a Content-Security-Policy without 'unsafe-inline' (sysmo/settings.py). Chromium
# blocks what breaks it and logs "Refused to …" on the console; this script, run in every page before its
# own, also turns each `securitypolicyviolation` event into a console error naming the directive and what
# was blocked, so a violation fails the test even where Chromium's own message would be missed.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || e.documentURI}:${e.lineNumber}`);
});
"""
CSP_MESSAGES = ("CSP violation:", "Refused to", "Content Security Policy")


@pytest.fixture
def new_page(browser, viewport, live_server, request, settings):
    """new_page(label="") -> a fresh page in Spanish (Argentina) with cookies of its own: another person at
    another browser. The test fails if any of them logs a console or page error, a Content-Security-Policy
    violation included (CSP_LISTENER), or if axe-core finds an accessibility violation on any page it visited
    (e2e/accessibility.py)."""
    contexts, errors = [], []
    settings.SITE_URL = live_server.url  # links in emails (always built from SITE_URL) lead to this test's server

    def open_page(label=""):
        is_phone = viewport == "phone"
        context = browser.new_context(
            viewport=VIEWPORTS[viewport],
            locale="es-AR",
            timezone_id="America/Argentina/Buenos_Aires",
            base_url=live_server.url,
            is_mobile=is_phone,
            has_touch=is_phone,
            device_scale_factor=2 if is_phone else 1,
        )
        contexts.append(context)
        context.set_default_timeout(20_000)  # axe checks each page as it loads (e2e/accessibility.py)
        context.add_init_script(CSP_LISTENER)
        check_every_page(context, errors)
        page = context.new_page()

        def on_console(message):
            if message.type != "error":
                return
            url = message.location.get("url", "")
            if message.text.startswith(REFUSED_PAGE) and url == page.url:
                return
            # A test that opens an error page on purpose (a 404) lists its status in page.error_pages_expected.
            if url == page.url and any(message.text.startswith(f"{LOAD_FAILED} {status}")
                                       for status in page.error_pages_expected):
                return
            kind = "CSP violation" if any(m in message.text for m in CSP_MESSAGES) else "console error"
            errors.append(f"{kind}: {message.text} ({url or page.url})")

        page.error_pages_expected = set()
        page.on("console", on_console)
        page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
        # Names the screenshots: test_landing[phone] → test_landing-phone; "test_x[phone]invitee" → test_x-phone-invitee
        page.test_name = request.node.name + label
        return page

    yield open_page
    for context in contexts:
        for page in context.pages:
            try:
                errors.extend(check_as_left(page))
            except Exception as error:  # noqa: BLE001 - a page that cannot be read is reported, not hidden
                errors.append(f"axe could not read {page.url}: {error}")
        context.close()
    if errors:
        pytest.fail("The browser reported errors:\n" + "\n".join(errors), pytrace=False)


@pytest.fixture
def page(new_page):
    """A fresh page in Spanish (Argentina); the test fails if the browser logs any console or page error or
    a Content-Security-Policy violation."""
    return new_page()


@pytest.fixture
def log_in(page, live_server):
    """Log a user in by handing the browser a session cookie (the login form has its own journey)."""
    from django.test import Client

    def _log_in(user):
        client = Client()
        client.force_login(user)
        session = client.cookies["sessionid"].value
        page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])

    return _log_in
