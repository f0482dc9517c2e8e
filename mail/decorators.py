from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def administrator_required(view):
    """Administrators only (the user model's `is_administrator`): anonymous users go to the login page,
    everyone else gets 404. mail's own copy of the rule, since mail imports no app of ours."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not getattr(request.user, "is_administrator", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
