from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.decorators import administrator_required
from reports import charts, exports, metrics, satisfaction, service_quality, tables, time_spent
from reports.forms import ReportForm


@administrator_required
def report_page(request):
    form = ReportForm(request.GET)
    context = {"form": form}
    if form.is_valid():
        tickets = metrics.requests_for(request.user, **form.filters)
        report = tables.build_report(tickets, form.period, form.comparison)
        previous = form.previous_period()
        context.update(
            report=report,
            received_chart=charts.received_chart(report),
            closed_chart=charts.closed_chart(report),
            quality=service_quality.build(tickets, form.period, form.comparison),
            satisfaction=satisfaction.build(tickets, form.period, form.comparison),
            time_spent=time_spent.build(tickets, form.period, form.comparison),
            query=form.query_string(),
            previous_period_query=previous and form.query_string(comparison=previous),
        )
    return render(request, "reports/report.html", context)


@administrator_required
def report_export(request, table, extension):
    if table not in exports.TABLES or extension not in exports.FORMATS:
        raise Http404
    form = ReportForm(request.GET)
    if not form.is_valid():
        # A hand-edited link: the page says what is wrong with the dates.
        return redirect(f"{reverse('reports:page')}?{request.GET.urlencode()}")
    tickets = metrics.requests_for(request.user, **form.filters)
    # In the page's language (LocaleMiddleware: the language switch, else the browser's).
    return exports.export(table, extension, tickets, form.period, form.comparison, language=request.LANGUAGE_CODE)
