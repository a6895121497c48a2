"""What every data operation does first: find the user among the caller's team's (another
team's user is as unknown as one that never was), and answer JSON written elsewhere."""

import json
from datetime import datetime
from uuid import UUID

from django.http import Http404, HttpResponse, JsonResponse

from teams.models import EndUser


def team_user(request, user_id: UUID) -> None:
    if not EndUser.objects.filter(team=request.auth.team, pk=user_id).exists():
        raise Http404


def ordered(start: datetime, end: datetime) -> JsonResponse | None:
    """A 400 when the window is the wrong way round."""
    if start > end:
        return JsonResponse({"detail": "start_date is after end_date."}, status=400)
    return None


def json_answer(value) -> HttpResponse:
    return json_text(json.dumps(value, separators=(",", ":")))


def json_text(text: str) -> HttpResponse:
    return HttpResponse(text, content_type="application/json")
