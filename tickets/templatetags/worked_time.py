"""How time spent on requests is written (issue 15): 35 min, 2 h, 1 h 35 min — hours, never days, since it
is time worked, not time elapsed. The request page and the reports both use it."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def worked_time(minutes):
    """Whole minutes as hours and minutes; "" for None."""
    if minutes is None:
        return ""
    minutes = int(minutes)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)s min") % {"minutes": rest}
    if not rest:
        return _("%(hours)s h") % {"hours": intcomma(hours)}
    return _("%(hours)s h %(minutes)s min") % {"hours": intcomma(hours), "minutes": rest}
