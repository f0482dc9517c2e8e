"""The survey pages a client reaches from the closing email: no login, the signed link is the key.

Mail scanners (Outlook Safe Links and the like) open every link of an email: a GET never records anything.
The page opened by an answer's link shows that answer chosen and static/js/survey.js sends it at once, so a
person answers with one click; without JavaScript the «Enviar» button does it. The thanks page offers the
comment.
"""

from allauth.decorators import rate_limit
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from satisfaction import services
from satisfaction.forms import AnswerForm, CommentForm
from satisfaction.models import Score


def _invalid(request):
    return render(request, "satisfaction/invalid.html", status=404)


def _chosen_by_link(request):
    try:
        return Score(int(request.GET.get("respuesta", "")))
    except ValueError:
        return None


@rate_limit(action="satisfaction_answer")  # POSTs per client address (settings.ACCOUNT_RATE_LIMITS)
@never_cache
def survey(request, token):
    try:
        survey = services.survey_for_token(token)
    except services.InvalidLink:
        return _invalid(request)
    refusal = None
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.answer(survey, score=form.cleaned_data["score"])
            except services.Refused as refused:
                refusal = str(refused)
            else:
                return redirect("satisfaction:thanks", token=token)
        chosen = None
    else:
        chosen = _chosen_by_link(request)
        form = AnswerForm(initial={"score": chosen or survey.score})
    open_ = services.can_answer(survey)
    return render(request, "satisfaction/survey.html", {
        "survey": survey, "form": form, "open": open_, "refusal": refusal,
        # The link's answer is sent at once, unless it is the one already recorded.
        "send_at_once": open_ and chosen is not None and chosen != survey.score,
        "change_deadline": services.change_deadline(survey),
    })


@rate_limit(action="satisfaction_answer")
@never_cache
def thanks(request, token):
    try:
        survey = services.survey_for_token(token)
    except services.InvalidLink:
        return _invalid(request)
    if not survey.answered:
        return redirect("satisfaction:survey", token=token)
    form = CommentForm(request.POST or None, initial={"comment": survey.comment})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment(survey, text=form.cleaned_data["comment"])
        except services.Refused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("¡Gracias! Guardamos tu comentario."))
            return redirect("satisfaction:thanks", token=token)
    return render(request, "satisfaction/thanks.html", {
        "survey": survey, "form": form, "open": services.can_answer(survey),
        "change_deadline": services.change_deadline(survey), "token": token,
    })
