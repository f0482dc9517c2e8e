"""What the browser journeys share: overflow check, screenshots, the phone menu."""

import re
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def assert_no_horizontal_overflow(page):
    """Nothing on the page is wider than the screen (no sideways scrolling, and on a phone no zooming out: a
    mobile browser lays a page wider than the phone out wider, so innerWidth grows past the screen)."""
    screen = page.viewport_size["width"]
    widths = page.evaluate(
        """(screen) => {
            const limit = Math.min(window.innerWidth, screen);
            const offenders = [...document.querySelectorAll("body *")]
                .filter((el) => el.getBoundingClientRect().right > limit + 1)
                .slice(0, 5)
                .map((el) => el.tagName.toLowerCase() + "." + String(el.className).trim().split(/\\s+/).join("."));
            return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, offenders};
        }""",
        screen,
    )
    assert widths["scroll"] <= widths["inner"] <= screen, (
        f"{page.url} is {widths['scroll']}px wide (laid out {widths['inner']}px) on a {screen}px screen; "
        f"too wide: {widths['offenders']}"
    )


def screenshot(page, label=""):
    """Save a full-page screenshot to e2e/screenshots/ (git-ignored), named by test, viewport and label."""
    SCREENSHOTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "-", page.test_name).strip("-")
    path = SCREENSHOTS / f"{name}{'-' + label if label else ''}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_menu(page):
    """On a phone the navigation is collapsed behind the toggler: open it. On desktop there is nothing to do."""
    toggler = page.locator("button.navbar-toggler")  # named "Abrir menú" or "Open menu" by language
    if toggler.is_visible():
        toggler.click()
        page.locator("#menu-principal.show").wait_for()


INLINE_BEHAVIOUR = re.compile(
    r"""<script(?![^>]*\b(src=|type="application/json"))[^>]*>|<style[\s>]|\sstyle=|\son[a-z]+\s*=""", re.IGNORECASE
)


def assert_csp_ready(page, path):
    """The HTML the server sends has no inline script, no on* handler and no style attribute, and comes with a
    Content-Security-Policy that allows none of them (no 'unsafe-inline', no 'unsafe-eval')."""
    response = page.request.get(path)
    html = response.text()
    found = INLINE_BEHAVIOUR.findall(html)
    assert not found, f"{path} has inline behaviour or styles: {found[:5]}"
    assert_strict_csp(response.headers.get("content-security-policy", ""), path)


def assert_strict_csp(policy, where=""):
    """`policy` (a Content-Security-Policy header) limits scripts and styles to our own files."""
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())
    assert directives.get("script-src") == "'self'", f"{where}: script-src is {directives.get('script-src')!r}"
    assert directives.get("style-src") == "'self'", f"{where}: style-src is {directives.get('style-src')!r}"
    assert "unsafe-" not in policy, f"{where}: the policy allows unsafe sources: {policy}"


def open_finder(page):
    """On a phone the trays' search and filters fold behind «Buscar y filtrar»: open it. Wider, the form is
    always shown and there is nothing to do."""
    toggle = page.locator("details.inbox-finder:not([open]) > summary")
    if toggle.count() and toggle.is_visible():
        toggle.click()
        page.locator("details.inbox-finder[open]").wait_for()
