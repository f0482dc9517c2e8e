"""The pages of the respuestas predefinidas: list with search, new, edit, delete (rules in tickets.canned)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tickets import canned
from tickets.canned_forms import CannedAnswerForm

PER_PAGE = 50


def staff_required(view):
    """Operators and administrators: anonymous visitors go to the login page, clients get 404."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not canned.may_use_answers(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _answer(request, pk):
    answer = canned.manageable(request.user, pk)
    if answer is None:
        raise Http404
    return answer


@staff_required
def answer_list(request):
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(canned.listed_for(request.user, query=query), PER_PAGE).get_page(request.GET.get("pagina"))
    rows = [(answer, canned.may_manage(request.user, answer)) for answer in page]
    return render(request, "tickets/canned_list.html", {"page": page, "rows": rows, "query": query,
                                                        "may_write": canned.may_write_answers(request.user)})


@staff_required
def answer_create(request):
    if not canned.may_write_answers(request.user):
        return redirect("tickets:canned_list")  # which says why
    form = CannedAnswerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        answer = _save(request, form)
        if answer is not None:
            messages.success(request, _("Guardaste la respuesta «%(title)s».") % {"title": answer.title})
            return redirect("tickets:canned_list")
    return _render_form(request, form, None)


@staff_required
def answer_edit(request, pk):
    answer = _answer(request, pk)
    form = CannedAnswerForm(request.POST or None, user=request.user, answer=answer)
    if request.method == "POST" and form.is_valid() and _save(request, form, answer) is not None:
        messages.success(request, _("Guardaste los cambios de «%(title)s».") % {"title": answer.title})
        return redirect("tickets:canned_list")
    return _render_form(request, form, answer)


def _render_form(request, form, answer):
    return render(request, "tickets/canned_form.html", {
        "form": form, "answer": answer, "placeholders": canned.PLACEHOLDERS,
    }, status=400 if request.method == "POST" else 200)


def _save(request, form, answer=None):
    data = form.cleaned_data
    try:
        return canned.save(answer, by=request.user, title=data["title"], body=data["body"], topic=data["topic"])
    except canned.NotAllowed:
        form.add_error("topic", _("Elegí una de tus temáticas."))
        return None


@staff_required  # first, so the wrong people get 404 whatever the method
@require_POST
def answer_delete(request, pk):
    answer = _answer(request, pk)
    canned.delete(answer, by=request.user)
    messages.success(request, _("Borraste la respuesta «%(title)s».") % {"title": answer.title})
    return redirect("tickets:canned_list")
