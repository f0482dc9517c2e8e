"""How a message's text is shown: escaped, paragraphs kept, web and email addresses clickable."""

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils.html import urlize
from django.utils.safestring import mark_safe

register = template.Library()

# Long addresses are shown cut to this many characters (the link keeps the whole address).
SHOWN_URL_CHARS = 60


@register.filter(needs_autoescape=True)
def message_text(text, autoescape=True):
    """A message body -> safe HTML: Django's urlize escapes the text and links only http(s)://, www. and email
    addresses (mailto:), never javascript: or data:; links open nothing with access to our page (noopener) and
    pass no ranking (nofollow). Then paragraphs and line breaks as linebreaks does."""
    linked = urlize(text or "", trim_url_limit=SHOWN_URL_CHARS, nofollow=True, autoescape=autoescape)
    # The text is escaped by now ("→&quot;), so this literal can only be the attribute urlize wrote.
    linked = linked.replace(' rel="nofollow"', ' rel="noopener nofollow"')
    return linebreaks_filter(mark_safe(linked), autoescape=False)  # noqa: S308 - escaped by urlize above
