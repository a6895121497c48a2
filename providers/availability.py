"""Which vendors a team is offered, and why not the others. A `live` vendor is offered to every
team; a `beta` or `legacy` one to sandbox teams, and to a production team once an operator
enables it for that team in the console; a `retired` or `blocked` one to no team. A team can
switch any vendor off, and a vendor that needs an app registered with it is offered to a
production team only when the team or the operator has one."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from .base import Adapter, Status
from .registry import ADAPTERS, configured_app

OPT_IN = frozenset({Status.BETA, Status.LEGACY})
NEVER = frozenset({Status.RETIRED, Status.BLOCKED})


class NotOffered(StrEnum):
    """Why a team is not offered a vendor. The message suits the end user and the developer."""

    RETIRED = "retired"
    BLOCKED = "blocked"
    SWITCHED_OFF = "switched_off"
    NOT_ENABLED = "not_enabled"
    NO_APP = "no_app"

    def message(self, vendor) -> str:
        """Said of a vendor (its adapter or catalogue entry: anything with a name and status)."""
        return str(_MESSAGES[self]) % {"name": vendor.name, "status": vendor.status}


_MESSAGES = {
    NotOffered.RETIRED: _("%(name)s has been retired by its maker and can no longer be connected."),
    NotOffered.BLOCKED: _("%(name)s blocks connections from apps like this one for now."),
    NotOffered.SWITCHED_OFF: _("This app does not offer %(name)s."),
    NotOffered.NOT_ENABLED: _("%(name)s is a %(status)s provider, not enabled for this app."),
    NotOffered.NO_APP: _(
        "%(name)s is not set up for this app yet: it needs an app registered with the vendor."
    ),
}


def provider_availability(*, team) -> dict[str, NotOffered | None]:
    """Every vendor, in catalogue order, with why the team is not offered it (None: offered).
    One query at most."""
    with_app = _vendors_with_app(team)
    return {slug: _refusal(slug, vendor, team, with_app) for slug, vendor in ADAPTERS.items()}


def _vendors_with_app(team) -> set[str]:
    """The vendors the team has an app for: all in the sandbox, else its own and the operator's."""
    if team.is_sandbox:
        return set(ADAPTERS)
    own = set(team.provider_apps.filter(enabled=True).values_list("provider", flat=True))
    return own | {slug for slug in ADAPTERS if configured_app(slug)}


def _refusal(slug: str, vendor: type[Adapter], team, with_app: set[str]) -> NotOffered | None:
    if vendor.status in NEVER:
        return NotOffered(vendor.status.value)
    if slug in team.disabled_providers:
        return NotOffered.SWITCHED_OFF
    if vendor.status in OPT_IN and not team.is_sandbox and slug not in team.enabled_providers:
        return NotOffered.NOT_ENABLED
    if vendor.requires_app and slug not in with_app:
        return NotOffered.NO_APP
    return None
