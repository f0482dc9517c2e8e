"""What administrators may read of an email: its text with the secrets in links masked.

Verification, password-reset and invitation links carry a key in a path segment (allauth's
`/accounts/confirm-email/<key>/`, `/accounts/password/reset/key/<uid>-<key>/`, ours `/invitacion/<uid>-<key>/`);
Reply-To tokens carry a signature. Whoever reads them could act as the recipient, so every long
token-like path segment of a URL and every token signature is shown as «••••». Ordinary links
(`/solicitudes/42/`) stay readable.
"""

import re

MASK = "••••"
URL = re.compile(r"https?://[^\s<>\"')]+")
SECRET_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9:_\-.]{16,}(?=/|$|\?)")
REPLY_TOKEN = re.compile(r"(\+[0-9a-z]+-[0-9a-z]+-[pi]-)[a-z2-7]{20}(?=@)", re.IGNORECASE)


def _mask_url(match):
    url = match.group(0)
    scheme_host, _slash, path = url.partition("://")[2].partition("/")
    prefix = url[: len(url) - len(path)]
    return prefix + SECRET_SEGMENT.sub(MASK, path)


def mask(text):
    """`text` (str) with the keys of links and the signatures of reply addresses replaced by «••••»."""
    return REPLY_TOKEN.sub(lambda m: m.group(1) + MASK, URL.sub(_mask_url, text or ""))
