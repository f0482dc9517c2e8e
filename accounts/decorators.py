from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def administrator_required(view):
    """Administrators only: anonymous users go to the login page, everyone else gets 404."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_administrator:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
