"""The inbox's links, built from the query of the page being shown: tabs, pages, removing one filter.

Every link keeps the tray, the search and the filters (so a view can be bookmarked or shared) and drops
the position in the list, except the page links that set it.
"""

from django.http import QueryDict
from django.urls import reverse

PAGING = ("despues", "antes", "pagina")


class InboxLinks:
    def __init__(self, query, tray_key, *, trays=(), page=None, active=()):
        """`query`: request.GET; `active`: (name, label, shown value) of each filter in use."""
        self.query = query
        self.tray_key = tray_key
        self.trays = trays
        self.page = page
        self.active = active
        self.base = reverse("tickets:inbox")

    def replacing(self, **changes):
        """This view with some keys changed (None removes one), from its first page."""
        query = self.query.copy()
        for key in PAGING:
            query.pop(key, None)
        query["bandeja"] = self.tray_key
        for key, value in changes.items():
            query.pop(key, None)
            if value is not None:
                query[key] = value
        return f"{self.base}?{query.urlencode()}"

    @property
    def tabs(self):
        """(tray, link) of each tab: a tab opens its tray without filters."""
        return [(tray, self._only(bandeja=tray.key)) for tray in self.trays]

    @property
    def closed(self):
        """This tray's closed requests (a tray lists its open ones unless the state filter says otherwise)."""
        return self._only(bandeja=self.tray_key, estado="cerrado")

    @property
    def clear(self):
        return self._only(bandeja=self.tray_key)

    @property
    def chips(self):
        """(label, shown value, link without it) of each filter in use."""
        return [(label, shown, self.replacing(**{name: None})) for name, label, shown in self.active]

    @property
    def next(self):
        if self.page is None or not self.page.has_next:
            return ""
        return self.replacing(despues=self.page.next_cursor, pagina=str(self.page.number + 1))

    @property
    def previous(self):
        if self.page is None or not self.page.has_previous:
            return ""
        if self.page.number <= 2 or not self.page.previous_cursor:
            return self.replacing()
        return self.replacing(antes=self.page.previous_cursor, pagina=str(self.page.number - 1))

    @property
    def first(self):
        return self.replacing()

    def _only(self, **values):
        query = QueryDict(mutable=True)
        query.update(values)
        return f"{self.base}?{query.urlencode()}"
