"""`GET /v2/summary/{sleep,activity,workouts,body,profile}/{user_id}` and their `/raw` forms:
a user's summaries whose calendar day is in the window, oldest first, from every provider or
one."""

from uuid import UUID

from ninja import Query, Router, Status
from pydantic import create_model

from health.answers import raw_out, summary_out
from health.models import SUMMARY_MODELS, Profile
from health.selectors import sources_of, summaries_in

from ..auth import team_auth
from .access import json_answer, team_user, team_window
from .schemas import SUMMARY_OUT, DetailOut, ProviderQuery, RawOut, Window

router = Router(tags=["data"], auth=team_auth)

DATED = ("sleep", "activity", "workouts", "body")


def _listing(resource: str, raw: bool):
    model = SUMMARY_MODELS[resource]
    shown = raw_out if raw else summary_out

    def view(request, user_id: UUID, window: Query[Window]):
        start, end = team_window(request, user_id, window)
        sources = sources_of(user_id, window.provider)
        rows = summaries_in(model, user_id, start.date(), end.date(), sources)
        return json_answer({resource: [shown(row, sources[row.source_id]) for row in rows]})

    return view


def _profile(raw: bool):
    def view(request, user_id: UUID, query: Query[ProviderQuery]):
        team_user(request, user_id)
        sources = sources_of(user_id, query.provider)
        rows = summaries_in(Profile, user_id, None, None, sources)
        if not rows:
            return Status(404, {"detail": "No profile has been pulled for this user."})
        row = max(rows, key=lambda r: r.updated_at)
        source = sources[row.source_id]
        return json_answer({"profile": raw_out(row, source)} if raw else summary_out(row, source))

    return view


def _answer(name: str, key: str, item) -> type:
    return create_model(name, **{key: (item, ...)})


for _resource in DATED:
    _model = SUMMARY_MODELS[_resource].__name__
    for _raw in (False, True):
        _item = RawOut if _raw else SUMMARY_OUT[_resource]
        _body = _answer(f"{'Raw' if _raw else 'Client'}{_model}Response", _resource, list[_item])
        router.add_api_operation(
            f"summary/{_resource}/{{user_id}}" + ("/raw" if _raw else ""),
            ["GET"],
            _listing(_resource, _raw),
            response={200: _body, 400: DetailOut, 404: DetailOut},
            operation_id=f"{_resource}_get{'_raw' if _raw else ''}",
            summary=f"{'Raw ' if _raw else ''}{_resource} summaries",
        )

router.add_api_operation(
    "summary/profile/{user_id}",
    ["GET"],
    _profile(raw=False),
    response={200: SUMMARY_OUT["profile"], 404: DetailOut},
    operation_id="profile_get",
    summary="The user's profile (404 until one is pulled: Vital's model has no empty form)",
)
router.add_api_operation(
    "summary/profile/{user_id}/raw",
    ["GET"],
    _profile(raw=True),
    response={200: _answer("RawProfile", "profile", RawOut), 404: DetailOut},
    operation_id="profile_get_raw",
    summary="The user's profile as the vendor sent it",
)
