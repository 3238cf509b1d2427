"""The benchmark's ceiling: the same gunicorn set-up serving a bare view that inserts
one row, so intake's throughput can be read as a fraction of what Django itself does
here. Mounted only when BENCH_CEILING_VIEW is on (`make bench` turns it on)."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def ceiling(request):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_ceiling (payload) VALUES (%s) RETURNING id",
            [request.body[:200].decode(errors="replace")],
        )
        row_id = cursor.fetchone()[0]
    return JsonResponse({"id": row_id}, status=201)
