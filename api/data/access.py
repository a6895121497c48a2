"""What every data operation does first: find the user among the caller's team's (another
team's user is as unknown as one that never was), and answer JSON written elsewhere."""

import json
from datetime import datetime
from uuid import UUID

from django.http import Http404, HttpResponse
from ninja.errors import HttpError

from teams.models import EndUser


def team_user(request, user_id: UUID) -> None:
    if not EndUser.objects.filter(team=request.auth.team, pk=user_id).exists():
        raise Http404


def team_window(request, user_id: UUID, window) -> tuple[datetime, datetime]:
    """The window's bounds for one of the team's users (else a 404); a 400 when they are the
    wrong way round."""
    team_user(request, user_id)
    start, end = window.bounds()
    if start > end:
        raise HttpError(400, "start_date is after end_date.")
    return start, end


def json_answer(value) -> HttpResponse:
    return json_text(json.dumps(value, separators=(",", ":")))


def json_text(text: str) -> HttpResponse:
    return HttpResponse(text, content_type="application/json")
