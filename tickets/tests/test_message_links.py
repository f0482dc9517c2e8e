"""Addresses in messages become links, safely: a table of nasty inputs against the filter the request page uses."""

from html.parser import HTMLParser

import pytest

from tickets.templatetags.messages_text import message_text


class Links(HTMLParser):
    """Every element and link of a piece of HTML."""

    def __init__(self, html):
        super().__init__()
        self.tags, self.links, self._open = [], [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self._open = {**dict(attrs), "text": ""}
            self.links.append(self._open)

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None


# (what a person wrote, the hrefs we expect, a text that must be visible as written)
CASES = [
    ("javascript:alert(1)", [], "javascript:alert(1)"),
    ("JaVaScRiPt:alert(document.cookie)", [], "JaVaScRiPt:alert"),
    ("data:text/html,<script>alert(1)</script>", [], "<script>alert(1)</script>"),
    ("file:///etc/passwd", [], "file:///etc/passwd"),
    ("<b>negrita</b> <img src=x onerror=alert(1)>", [], "<img src=x onerror=alert(1)>"),
    ('https://ejemplo.com"><img src=x onerror=alert(1)>', ["https://ejemplo.com"], '"><img src=x'),
    ('http://"onmouseover=alert(1)//', [], 'onmouseover=alert(1)'),
    ("Mirá https://www.afip.gob.ar/factura.", ["https://www.afip.gob.ar/factura"], "Mirá"),
    ("(detalle en https://ejemplo.com/a_(b)), gracias", ["https://ejemplo.com/a_(b)"], "gracias"),
    ("¿Viste www.sysmo.com.ar?", ["http://www.sysmo.com.ar"], "¿Viste"),
    ("La guía: https://ejemplo.com.ar/información/año", ["https://ejemplo.com.ar/informaci%C3%B3n/a%C3%B1o"], "guía"),
    ("Escribile a facturación@ejemplo.com.ar o a ana@ejemplo.com.ar.", ["mailto:ana@ejemplo.com.ar"], "facturación"),
    ("http://ejemplo.com/?a=1&b=2", ["http://ejemplo.com/?a=1&b=2"], ""),
]


@pytest.mark.parametrize(("written", "hrefs", "visible"), CASES)
def test_only_web_and_email_addresses_become_links(written, hrefs, visible):
    html = str(message_text(written))
    parsed = Links(html)

    assert [link["href"] for link in parsed.links] == hrefs
    assert set(parsed.tags) <= {"p", "br", "a"}, html  # nothing the person wrote became markup
    for link in parsed.links:
        assert link["href"].split(":")[0] in {"http", "https", "mailto"}
        assert set(link) <= {"href", "rel", "text"}  # no handler or style smuggled in
        if not link["href"].startswith("mailto:"):
            assert link["rel"] == "noopener nofollow"
    assert visible.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;") in html


def test_a_very_long_address_is_shown_cut_and_linked_whole():
    address = "https://ejemplo.com/" + "x" * 400
    link = Links(str(message_text(f"Bajalo de {address} por favor"))).links[0]

    assert link["href"] == address
    assert len(link["text"]) <= 60 and link["text"].endswith("…")


def test_paragraphs_and_line_breaks_are_kept():
    assert str(message_text("Hola,\nya está.\n\nSaludos")) == "<p>Hola,<br>ya está.</p>\n\n<p>Saludos</p>"
