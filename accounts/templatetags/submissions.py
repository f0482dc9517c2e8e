"""`{% submission_key %}` and `{% submission_key form %}`: the hidden key of a write form (accounts.submissions).

A template builtin (settings TEMPLATES), like `{% csrf_token %}`, so no template has to load it.
"""

from django import template

from accounts import submissions

register = template.Library()


@register.simple_tag
def submission_key(form=None):
    """A hidden input with a new key, or with `form`'s key (kept when the form comes back with an error)."""
    return submissions.hidden_input(submissions.key_for(form))
