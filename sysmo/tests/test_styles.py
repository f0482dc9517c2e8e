"""The stylesheets stay organised: one table component for every list, one stylesheet for every page plus at
most one for its page type, no section named after a work item, colours from the tokens."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
CSS = Path(settings.BASE_DIR) / "static" / "css"
OUR_SHEET = re.compile(r"""href="\{% static ['"]css/([\w-]+\.css)['"] %\}""")


def page_templates():
    return [path for path in TEMPLATES.rglob("*.html") if "email" not in path.parts]


def test_every_list_is_the_one_table_component():
    for path in page_templates():
        for table in re.findall(r"<table\b[^>]*>", path.read_text()):
            assert re.search(r'class="[^"]*\bdata-table\b', table), f"{path.relative_to(TEMPLATES)}: {table}"


def test_a_page_loads_the_common_stylesheet_and_at_most_one_of_its_type():
    base = (TEMPLATES / "base.html").read_text()
    assert OUR_SHEET.findall(base) == ["sysmo.css"]
    linked = set()
    for path in page_templates():
        sheets = OUR_SHEET.findall(path.read_text())
        if path.name != "base.html":
            assert len(sheets) <= 1, f"{path.relative_to(TEMPLATES)} links {sheets}"
            linked.update(sheets)
    ours = {path.name for path in CSS.glob("*.css")} - {"sysmo.css"}
    assert linked == ours, f"stylesheets no page links, or links missing: {ours ^ linked}"


def test_sections_are_named_after_components_and_colours_come_from_tokens():
    for path in CSS.glob("*.css"):
        text = path.read_text()
        assert not re.search(r"\b(issue|item|work item|sprint)\s*#?\d+", text, re.IGNORECASE), path.name
    # The list component, the trays and the landing page use the tokens, not colours of their own.
    sysmo = (CSS / "sysmo.css").read_text()
    lists = sysmo[sysmo.index("/* ---------- Lists:"):sysmo.index("/* ---------- Empty lists")]
    assert not re.search(r"#[0-9a-f]{3,6}\b", lists, re.IGNORECASE)
    badges = sysmo[sysmo.index("/* ---------- State badges"):sysmo.index("/* ---------- Header: room")]
    assert not re.search(r"#[0-9a-f]{3,6}\b", badges, re.IGNORECASE)


def test_every_stylesheet_parses_and_every_rule_has_a_selector():
    """A rule that lost its selector line (a merge, an edit) turns its declarations into a "selector" that
    swallows the next rule: both are dropped by the browser without a word. tinycss2 reads the files as a
    browser does (CSS Syntax Level 3)."""
    import tinycss2

    def check(rules, name):
        for rule in rules:
            assert rule.type != "error", f"{name}: {rule.message}"
            if rule.type == "qualified-rule":
                prelude = tinycss2.serialize(rule.prelude).strip()
                assert prelude and ";" not in prelude and "}" not in prelude, f"{name}: rule «{prelude[:80]}»"
            elif rule.type == "at-rule" and rule.at_keyword in {"media", "supports"} and rule.content:
                check(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True), name)

    for path in CSS.glob("*.css"):
        check(tinycss2.parse_stylesheet(path.read_text(), skip_comments=True, skip_whitespace=True), path.name)
