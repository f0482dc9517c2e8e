"""Comparing pages written two ways (issue 19's cheaper tags against the templates they replaced)."""

import re


def spaced(html):
    """`html` with each run of white space as one space, none at either end: what a browser
    makes of it outside <pre>."""
    return re.sub(r"\s+", " ", html).strip()
