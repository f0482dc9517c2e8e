"""What `manage.py bench_http` adds to the server it measures, and only to it (settings.BENCH_HTTP).

- `QueryCountMiddleware`, first of all: the number of SQL queries a request made (sessions and
  authentication included), in the `X-Bench-Queries` header of its answer.
- `floor`: the cheapest page Django can serve through the same middleware — the floor the other pages are
  compared with. Its URL exists only in `sysmo.bench_urls`, which the measured server uses instead of
  `sysmo.urls`; production never routes to it.
"""

from django.db import connections
from django.http import HttpResponse

QUERIES_HEADER = "X-Bench-Queries"


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(counted):
            response = self.get_response(request)
        response[QUERIES_HEADER] = str(count)
        return response


def floor(request):
    """A bare Django view: no template, no query of its own."""
    return HttpResponse("ok", content_type="text/plain")
