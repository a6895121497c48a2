"""FreeStyle Libre by email, on the LibreView practice model: the user links their LibreView
account to our practice (LibreView → Account settings → My practices → the Practice ID), and
the connection stays pending until the practice sees them; `check` tells the lifecycle when it
does. Nothing secret of the user's is asked for or stored: only the email and region.

Which linked patient is the user: LibreLinkUp's patient listing (`/llu/connections`) gives each
patient's patientId, firstName, lastName and `created`, and no email (pylibrelinkup's Patient
model; nightscout-librelink-up's Connection interface), so the email the user typed can never be
matched. A pending connection takes the one patient who can only be theirs: linked since the user
asked (`created` at or after the enrolment), held by no other connection of the practice, and
awaited by no other pending connection that was already waiting when that patient linked.
Anything else keeps it pending rather than risk giving a user another's readings: two users
linking at the same time, or one who never links, hold up those after them until they expire
(LINK_PENDING_DAYS). A user who also gives their name as LibreLinkUp shows it (`name`) is told
apart by it: matched only to a patient of that name, and no rival for patients of another.
Unverified: that `created` is when the patient linked (the clients only carry it as a number).

The practice account (the "app": ours from settings, or a team's own practice) signs in with
LibreView's JSON login on the regional host: `status` 0 = signed in, 2 = the practice account's
credentials are wrong, 4 = a step (new terms) to accept in the app; `data.redirect` with
`data.region` = the account lives on another regional server, where we sign in again. Later calls
carry the ticket and `account-id` = sha256(user id). The patient listing follows the LibreLinkUp
API (`/llu/connections`); the practice API itself is undocumented."""

import hashlib
import logging
import time
from collections.abc import Sequence

from ...base import Status
from ...email import EmailAdapter, Enrolment
from ...errors import ProviderApiError
from ...http import json_body

log = logging.getLogger(__name__)
HEADERS = {"product": "llu.android", "version": "4.16.0"}  # older app versions are refused
_OK, _BAD_CREDENTIALS, _STEP_REQUIRED, _APP_TOO_OLD = 0, 2, 4, 920


class PracticeSignInFailed(ProviderApiError):
    """Our practice account, not the user, is the problem: the operator has to act."""

    default_message = (
        "FreeStyle Libre is not available right now: this app's LibreView practice account "
        "could not sign in. Please try again later."
    )


class FreestyleLibreAdapter(EmailAdapter):
    slug = "freestyle_libre"
    vital_id = 17
    name = "FreeStyle Libre"
    description = "Glucose readings from FreeStyle Libre sensors."
    status = Status.BETA
    docs_url = "https://pat.libreview.com/articles/link-your-account"
    checked_on = "2026-12-01"
    sources = (
        "https://pat.libreview.com/articles/link-your-account",
        "https://github.com/robberwick/pylibrelinkup",
        "https://github.com/timoschlueter/nightscout-librelink-up",
        "https://github.com/timoschlueter/nightscout-librelink-up/issues/167",
        "https://github.com/DiaKEM/libre-link-up-api-client/issues/35",
        "https://github.com/gillesvs/librelink/pull/45",
        "https://github.com/robberwick/pylibrelinkup/blob/main/src/pylibrelinkup/models/data.py",
        "https://github.com/timoschlueter/nightscout-librelink-up/blob/main/src/index.ts",
        "https://github.com/DiaKEM/libre-link-up-api-client/blob/main/src/client.ts",
    )
    note = (
        "Unofficial (the LibreLinkUp app's API). The user gives their email and region (us, eu, "
        "sg, de, au, br, nl, fr, ca, in) and, after that, links their LibreView account to this "
        "app's LibreView practice (My practices → Practice ID); the connection stays pending "
        "until the practice lists them. Verified from maintained clients: the login, its region "
        "redirect, app version 4.16.0 as the floor, the account-id header, and that "
        "/llu/connections entries carry patientId, firstName, lastName and created but no "
        "email. So the email cannot identify the patient: Link takes the one new patient linked "
        "after the user asked that no other connection holds, provided no other user was "
        "waiting when they linked; users linking at the same moment stay pending (and expire) "
        "rather than risk getting each other's readings. Not verified: that a practice sees its "
        "patients through /llu/connections, and that `created` is the time of linking. Glucose "
        "comes from the patient's LibreLinkUp graph and logbook, which hold only about the last "
        "12 hours of readings (every 15 minutes) and two weeks of glucose events: the backfill "
        "takes what is there, not 30 days, and hourly pulls keep what comes after."
    )
    supported_resources = ("glucose",)
    requires_app = True  # the LibreView practice account the users link to
    hosts = {
        "global": "https://api.libreview.io",
        **{
            code: f"https://api-{code}.libreview.io"
            for code in ("us", "eu", "eu2", "de", "fr", "ca", "au", "ap", "ae", "jp", "la")
        },
        "ru": "https://api.libreview.ru",
    }
    # Vital's regions for freestyle_libre; sg/in sit on Asia-Pacific, nl on the EU server, and
    # br on the global host, whose region redirect finds the account's server.
    regions = {"us": "us", "eu": "eu", "de": "de", "fr": "fr", "ca": "ca", "au": "au"} | {
        "sg": "ap",
        "in": "ap",
        "nl": "eu",
        "br": "global",
    }
    default_region = "us"

    def enrol(self, *, email, region, name=None):
        email = email.strip().lower()
        host = self._sign_in(self.region_host(region))[0]
        name = " ".join((name or "").split())
        return Enrolment(
            external_user_id=email,
            credentials={
                "email": email,
                "region": (region or self.default_region).lower(),
                "host": host,
                "practice": _practice(self.app.client_id),
                "since": int(time.time()),  # a patient linked before this is not the user
                **({"name": name} if name else {}),
            },
        )

    def check(self, credentials, peers=()):
        host, ticket, account_hash = self._sign_in(credentials["host"])
        response = self.http.get(
            self.url(host, "/llu/connections"),
            headers={**HEADERS, "Authorization": f"Bearer {ticket}", "account-id": account_hash},
        )
        data = json_body(response)
        if response.status_code != 200 or not isinstance(data, dict):
            raise ProviderApiError()
        try:
            patient_id = newly_linked(credentials, data.get("data") or [], peers)
        except (KeyError, TypeError, ValueError):
            raise ProviderApiError() from None
        if patient_id is None:
            return None
        return Enrolment(patient_id, {**credentials, "patient_id": patient_id})

    def api_url(self, credentials):
        return self.url(credentials["host"], "")

    def api_auth(self, credentials):
        """The practice account signs in for each page read: the patient's data is read with
        the practice's ticket (there is no token of the user's to keep)."""
        _, ticket, account_hash = self._sign_in(credentials["host"])
        return {**HEADERS, "Authorization": f"Bearer {ticket}", "account-id": account_hash}, {}

    def api_rejected(self, response):
        return False  # the ticket was signed in for this very call: no token to renew

    def _sign_in(self, host: str, redirected: bool = False) -> tuple[str, str, str]:
        """Sign the practice account in: (host it lives on, ticket, account-id header)."""
        if self.app is None:
            raise PracticeSignInFailed()
        response = self.http.post(
            self.url(host, "/llu/auth/login"),
            json={"email": self.app.client_id, "password": self.app.client_secret},
            headers=HEADERS,
        )
        answer = json_body(response)
        if not isinstance(answer, dict):
            raise ProviderApiError()
        status, data = answer.get("status"), answer.get("data") or {}
        if status == _BAD_CREDENTIALS:
            raise PracticeSignInFailed()
        if status == _STEP_REQUIRED:
            step = (data.get("step") or {}).get("componentName", "a step")
            raise PracticeSignInFailed(
                "FreeStyle Libre is not available right now: LibreView asks this app's practice "
                f"account to accept {step} first. Please try again later."
            )
        if status == _APP_TOO_OLD:  # LibreView raised its floor (4.16.0 since 2025-10-08)
            log.error("LibreView requires app version %s", str(data.get("minimumVersion"))[:20])
            raise PracticeSignInFailed()
        if status != _OK:
            raise ProviderApiError()
        if data.get("redirect"):
            region = str(data.get("region", ""))
            if redirected or region not in self.hosts:
                raise ProviderApiError()
            return self._sign_in(region, redirected=True)
        try:
            ticket, user_id = data["authTicket"]["token"], str(data["user"]["id"])
        except (KeyError, TypeError):
            raise ProviderApiError() from None
        return host, ticket, hashlib.sha256(user_id.encode()).hexdigest()


def _practice(client_id: str) -> str:
    """Which practice account a connection was made with, without naming it."""
    return hashlib.sha256(client_id.strip().lower().encode()).hexdigest()[:16]


def newly_linked(credentials: dict, patients: list[dict], peers: Sequence[dict]) -> str | None:
    """The patientId of the one listed patient who can only be the user of `credentials`, given
    the credentials of the provider's other live connections (`peers`); None while there is no
    such patient (see the module docstring). A user who gave their name as LibreLinkUp shows it
    is matched on it too, and is no rival for a patient of another name."""
    since = credentials.get("since")
    if since is None:  # enrolled before connections recorded it: nothing to tell by
        return None
    name = _name_given(credentials)
    practice = credentials.get("practice"), credentials.get("host")
    ours = [p for p in peers if (p.get("practice"), p.get("host")) == practice]
    claimed = {p["patient_id"] for p in ours if p.get("patient_id")}
    new = [
        p
        for p in patients
        if str(p["patientId"]) not in claimed
        and int(p.get("created") or 0) >= since
        and name in ("", _name_listed(p))
    ]
    if len(new) != 1:
        return None
    linked_at, listed = int(new[0]["created"]), _name_listed(new[0])
    rivals = [
        p
        for p in ours
        if not p.get("patient_id")
        and p.get("since", linked_at) <= linked_at  # waiting when the patient linked
        and _name_given(p) in ("", listed)
    ]
    return None if rivals else str(new[0]["patientId"])


def _name_given(credentials: dict) -> str:
    return " ".join(str(credentials.get("name") or "").split()).casefold()


def _name_listed(patient: dict) -> str:
    return " ".join(
        f"{patient.get('firstName', '')} {patient.get('lastName', '')}".split()
    ).casefold()
