"""axe-core on every page a browser journey visits, desktop and phone; a violation fails the test.

An init script carries axe into every document and runs it when the page has loaded, before the test can act
on it: axe's work is synchronous, so the page answers the test's next click only when the check is done. The
page reports to Python through a binding (a held navigation cannot be evaluated). When the test ends, the
pages still open are checked again as the test left them (a menu opened, a form half filled)."""

import json
from urllib.parse import urlparse

from axe_playwright_python.base import AXE_SCRIPT

# WCAG 2.2 A and AA plus axe's best practices (landmarks, one h1, regions…): what every page must meet.
# restoreScroll: axe scrolls while it measures colours; the test must find the page where the user left it.
OPTIONS = {"resultTypes": ["violations"], "restoreScroll": True, "runOnly": {"type": "tag", "values": [
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    # Still "experimental" in axe 4.12, but a voice-control user says what they see: "pulsar English".
    "rules": {"label-content-name-mismatch": {"enabled": True}}}
# Django's admin stylesheets @import others: to read them axe would add <style> elements, which the CSP refuses
# (a violation of the test's own making). Its pages skip that preload, and with it the one rule that needs it
# (css-orientation-lock, about our own stylesheets, which every other page still checks).
ADMIN_OPTIONS = {**OPTIONS, "preload": False}
BINDING = "__sysmoAxeReport"
RUN = f"""
(() => {{
  if (window.top !== window || !/^https?:$/.test(location.protocol)) return;
  const OPTIONS = {json.dumps(OPTIONS)};
  const ADMIN = {json.dumps(ADMIN_OPTIONS)};
  // After the load event, so navigation counts as done; before the test's next action, which waits for it.
  window.addEventListener("load", () => setTimeout(() => {{
    window.__sysmoAxeDone = axe.run(document, location.pathname.startsWith("/admin/") ? ADMIN : OPTIONS)
      .then((results) => window.{BINDING}(location.href, results.violations))
      .catch((error) => window.{BINDING}(location.href,
                                           [{{id: "axe-error", impact: "", help: String(error), nodes: []}}]));
  }}));
}})();
"""


def describe(url, found):
    """axe's violations -> one line each: rule, impact, page, what to fix and the first offending elements."""
    return [
        f"axe {v['id']} ({v['impact']}) on {url}: {v['help']} -> "
        + "; ".join(" ".join(map(str, node["target"])) for node in v["nodes"][:4])
        for v in found
    ]


def check_every_page(context, errors):
    """Have axe check each document of the context when it loads; violations are appended to errors."""
    context.expose_binding(BINDING, lambda source, url, found: errors.extend(describe(url, found)))
    context.add_init_script(script=AXE_SCRIPT + RUN)


def check_as_left(page):
    """Check the page once more as the test leaves it -> list of violation lines."""
    if not page.url.startswith("http"):
        return []
    page.wait_for_function("() => window.__sysmoAxeDone !== undefined")
    page.evaluate("() => window.__sysmoAxeDone")  # the check started at load has reported
    options = ADMIN_OPTIONS if urlparse(page.url).path.startswith("/admin/") else OPTIONS
    found = page.evaluate(f"() => axe.run(document, {json.dumps(options)}).then((r) => r.violations)")
    return describe(page.url + " (as the test left it)", found)
