"""Every answer carries the browser protections: a Content-Security-Policy without 'unsafe-inline', no
framing, no MIME sniffing, no full Referer to other sites; and no template of ours has inline behaviour."""

from pathlib import Path

import pytest
from django.test import Client

from accounts.tests.factories import AdminFactory, ClientFactory, verified
from e2e.helpers import INLINE_BEHAVIOUR, assert_strict_csp

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def assert_protected(response, path):
    assert_strict_csp(response["Content-Security-Policy"], path)
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/no-existe/", "/health/",
                                  "/admin/login/"])
def test_anonymous_pages_and_error_pages_are_protected(path):
    response = Client().get(path)
    assert response.status_code in {200, 302, 404}
    assert_protected(response, path)


@pytest.mark.parametrize("factory", [ClientFactory, AdminFactory])
def test_pages_behind_the_login_are_protected(factory):
    browser = Client()
    browser.force_login(verified(factory()))
    for path in ("/", "/solicitudes/", "/perfil/"):
        assert_protected(browser.get(path), path)


def test_no_template_has_an_inline_script_style_attribute_or_handler():
    """What the policy would block, found before any browser runs: JS goes in static/js, CSS in static/css.
    Emails (templates in an email/ folder) are read by mail programs, not under our policy: not checked."""
    offenders = []
    for template in sorted(ROOT.glob("**/templates/**/*.html")):
        if ".venv" in template.parts or "email" in template.parts:
            continue
        text = template.read_text()
        offenders += [f"{template.relative_to(ROOT)}: {m.group(0)!r}" for m in INLINE_BEHAVIOUR.finditer(text)]
    assert not offenders, "\n".join(offenders)
