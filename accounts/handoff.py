"""What happens to the work a person holds when they lose access to it.

Deactivating an account, taking away a person's operator role or taking them off a topic must not leave
open requests assigned to someone who can no longer act on them (issue 11). `accounts` and `topics` make
those changes but do not know about requests (dependencies point tickets → topics → accounts), so the
app that holds work registers two functions here when it starts (tickets.apps):

- `held(users)`: how many open items those users hold now, together, for the administrators' pages (one
  query for a topic's whole list of operators);
- `hand_off(user, by=, reassign_to=)`: after the change, in the same transaction, give each item the user
  can no longer act on to `reassign_to` when that person may take it, else release it; returns
  (reassigned, released).
"""

from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_holders = []


class HandOff(NamedTuple):
    """How many items went to the person the administrator chose, and how many went back to be taken."""

    reassigned: int = 0
    released: int = 0

    def __add__(self, other):
        return HandOff(self.reassigned + other[0], self.released + other[1])

    @property
    def total(self):
        return self.reassigned + self.released


def register(*, held, hand_off):
    """Called once per holder app at start-up (AppConfig.ready)."""
    if (held, hand_off) not in _holders:
        _holders.append((held, hand_off))


def held_by(*users):
    """How many open items `users` hold now, together (int)."""
    return sum(held(users) for held, _hand_off in _holders) if users else 0


def hand_off(users, *, by, reassign_to=None):
    """After `users` lost some access: what they can no longer act on goes to `reassign_to` (if that person
    may take it) or back to be taken. Runs in the caller's transaction. Returns a HandOff with the counts."""
    result = HandOff()
    for user in users:
        for _held, move in _holders:
            result = result + move(user, by=by, reassign_to=reassign_to)
    return result


def describe(result, reassign_to):
    """What the administrator is told happened to the requests of someone who lost access ("" if nothing)."""
    parts = []
    if result.reassigned:
        parts.append(ngettext("%(count)d solicitud pasó a %(name)s", "%(count)d solicitudes pasaron a %(name)s",
                              result.reassigned) % {"count": result.reassigned, "name": reassign_to})
    if result.released:
        parts.append(ngettext("%(count)d volvió a «Nuevo», sin asignar", "%(count)d volvieron a «Nuevo», sin asignar",
                              result.released) % {"count": result.released})
    return _("De sus solicitudes abiertas: %(what)s.") % {"what": _(" y ").join(parts)} if parts else ""
