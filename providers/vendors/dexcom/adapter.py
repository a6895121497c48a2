"""Dexcom Share: two JSON calls per login (account id, then session id), each answered with a
bare JSON string; the all-zero UUID means failure; errors come as 5xx with `{Code, Message}`;
accounts live on one of three regional servers (US, outside US, Japan), and Japan has its own
application id. Share sessions expire and there is no refresh token, so the password is kept
(encrypted) to sign in again: the vendor offers no other way to stay connected."""

from ...base import Connected, Status, TokenSet
from ...errors import InvalidCredentials, ProviderApiError
from ...http import json_body, json_or_none
from ...password import PasswordAdapter

FAILED = "00000000-0000-0000-0000-000000000000"
APPLICATION_IDS = {
    "us": "d89443d2-327c-4a6f-89e5-496bbb0317db",
    "ous": "d89443d2-327c-4a6f-89e5-496bbb0317db",
    "jp": "d8665ade-9673-4e27-9ff6-92db4ce13d13",
}
_CREDENTIAL_CODES = {"AccountPasswordInvalid", "SSO_AuthenticateMaxAttemptsExceeded"}
# A session Share no longer knows (pydexcom signs in again on these).
SESSION_CODES = {"SessionIdNotFound", "SessionNotValid"}
# Vital's region codes outside the US and Japan are served by the "outside US" servers.
OUTSIDE_US = (  # noqa: SIM905 (a word list reads better than 48 quoted strings)
    "eu de fr ca br ar cl co mx gb ie au nz nl at be bh ch cz dk eg es fi gr "
    "hr il it jo kw lb lu no om pl pt qa sa se si sk tr za in sg hk kr ph tw ous"
).split()


class DexcomAdapter(PasswordAdapter):
    slug = "dexcom"
    vital_id = 15
    name = "Dexcom Share"
    description = "Continuous glucose readings shared through Dexcom Share."
    status = Status.LIVE
    docs_url = "https://www.dexcom.com/"
    checked_on = "2026-12-01"
    sources = (
        "https://github.com/gagebenne/pydexcom",
        "https://pypi.org/project/pydexcom/",
    )
    note = (
        "Unofficial: Dexcom Share, the real-time feed Dexcom's followers see (Dexcom's official "
        "API is dexcom_v3). Needs Share enabled with at least one follower, and the publisher's "
        "own credentials; region picks US, outside-US or Japan servers. No one-time code."
    )
    supported_resources = ("glucose",)
    hosts = {
        "us": "https://share2.dexcom.com/ShareWebServices/Services",
        "ous": "https://shareous1.dexcom.com/ShareWebServices/Services",
        "jp": "https://share.dexcom.jp/ShareWebServices/Services",
    }
    regions = {"us": "us", "jp": "jp"} | dict.fromkeys(OUTSIDE_US, "ous")
    default_region = "us"
    stores_password = True
    # Per connection, the servers of the region it signed in to: /Publisher/….
    api_base = ("us", "")
    # A Share session id, sent as the `sessionId` query parameter.
    token_type = "sessionId"  # noqa: S105 (a kind of token, not one)

    def api_url(self, credentials):
        return self.url(credentials["extra"]["host"], "")

    def api_auth(self, credentials):
        return {}, {"sessionId": credentials["access_token"]}

    def api_rejected(self, response):
        error = json_or_none(response) if response.status_code == 500 else None
        return isinstance(error, dict) and error.get("Code") in SESSION_CODES

    @classmethod
    def region_of(cls, credentials):
        return credentials["extra"]["host"]

    def login(self, *, username, password, region, mfa_code=None):
        host = self.region_host(region)
        body = {"accountName": username, "password": password}
        account_id = self._call(host, "/General/AuthenticatePublisherAccount", body)
        tokens = self._session(host, account_id, password)
        # The account UUID is Share's stable id: the name may be a username, email or phone.
        return Connected(external_user_id=account_id, tokens=tokens)

    def refresh(self, credentials):
        extra = credentials["extra"]
        return self._session(extra["host"], extra["account_id"], extra["password"])

    def _session(self, host: str, account_id: str, password: str) -> TokenSet:
        session_id = self._call(
            host,
            "/General/LoginPublisherAccountById",
            {"accountId": account_id, "password": password},
        )
        return TokenSet(
            access_token=session_id,
            extra={"host": host, "account_id": account_id, "password": password},
        )

    def _call(self, host: str, path: str, body: dict) -> str:
        response = self.http.post(
            self.url(host, path),
            json={**body, "applicationId": APPLICATION_IDS[host]},
            headers={"Accept-Encoding": "application/json"},  # as Dexcom's own apps send it
            errors_in_5xx=True,
        )
        data = json_body(response)
        if response.status_code != 200:
            raise _share_error(data)
        if not isinstance(data, str) or not data:
            raise ProviderApiError()
        if data == FAILED:
            raise InvalidCredentials()
        return data


def _share_error(data) -> Exception:
    code = data.get("Code") if isinstance(data, dict) else None
    if code in _CREDENTIAL_CODES or (
        code == "SSO_InternalError" and "Cannot Authenticate" in str(data.get("Message"))
    ):
        return InvalidCredentials()
    return ProviderApiError()
