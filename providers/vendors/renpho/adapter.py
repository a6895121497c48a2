"""Renpho: the "Renpho Health" app's API at cloud.renpho.com, which works today (the legacy
qnclouds API with an RSA-encrypted password belongs to the retired "Renpho" app). The whole
login JSON is AES-128-ECB encrypted with a key embedded in the app and sent as
`{"encryptData": base64}`; the answer's `data` is encrypted the same way. HTTP is always 200:
`code` 101 is success and 102/103/104/401/403 refuse the credentials. The token then travels as
the `token` header beside `userId`. There is no refresh token, and each fresh login signs the user
out of the Renpho phone app, so the password is kept (encrypted) to sign in again only when the
token stops working: the vendor offers no other way to stay connected."""

import base64
import json
from datetime import UTC, datetime

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ...base import Connected, Status, TokenSet
from ...errors import InvalidCredentials, ProviderApiError
from ...http import json_body
from ...password import PasswordAdapter

APP_KEY = b"ed*wijdi$h6fe3ew"  # the Renpho Health app's static AES-128 key
APP_VERSION = "7.5.0"
# `code` comes as a number or a string; maintained clients take all four as success.
OK = {"0", "101", "200", "20000"}
REFUSED = {"102", "103", "104", "401", "403"}


def seal(payload: dict) -> str:
    """The app's envelope: AES-128-ECB (the app's choice, not ours) over PKCS#7-padded JSON."""
    padder = padding.PKCS7(128).padder()
    compact = json.dumps(payload, separators=(",", ":"))  # as the app's JSON.stringify
    plain = padder.update(compact.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(APP_KEY), modes.ECB()).encryptor()  # noqa: S305
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def unseal(sealed: str) -> dict:
    """The payload of an envelope; ValueError if it is not one."""
    decryptor = Cipher(algorithms.AES(APP_KEY), modes.ECB()).decryptor()  # noqa: S305
    padded = decryptor.update(base64.b64decode(sealed, validate=True)) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return json.loads(unpadder.update(padded) + unpadder.finalize())


class RenphoAdapter(PasswordAdapter):
    slug = "renpho"
    vital_id = 8
    name = "Renpho"
    description = "Weight and body composition from Renpho smart scales."
    status = Status.LIVE
    docs_url = "https://github.com/ra486/hacs-renpho-health"
    checked_on = "2026-12-01"
    sources = (
        "https://github.com/ra486/hacs-renpho-health",
        "https://github.com/neilzilla/hass-renpho",
        "https://github.com/ChocoTonic/renpho-py",
        "https://github.com/danvaneijck/renpho-api",
    )
    note = (
        "Unofficial API of the Renpho Health app (the old Renpho app's API is retired). Signing "
        "in here signs the user out of the Renpho phone app. Renpho has no refresh token, so the "
        "password is kept, encrypted, to sign in again when the session ends."
    )
    supported_resources = ("body", "weight", "fat")
    hosts = {"cloud": "https://cloud.renpho.com"}
    stores_password = True

    def login(self, *, username, password, region, mfa_code=None):
        area = (region or "us").upper()
        login = {
            "email": username,
            "password": password,
            "areaCode": area,
            "appRevision": APP_VERSION,
            "platform": "android",
            "systemType": "11",
        }
        body = {"questionnaire": {}, "login": login, "bindingList": {"deviceTypes": ["2"]}}
        response = self.http.post(
            self.url("cloud", "/renpho-aggregation/user/login"),
            json={"encryptData": seal(body)},
            headers={"appVersion": APP_VERSION, "platform": "android", "area": area},
        )
        data = json_body(response)
        code = data.get("code") if isinstance(data, dict) else None
        if str(code) not in OK:
            raise _refusal(code)
        try:
            session = unseal(data["data"])["login"]
            # Maintained clients read only the token and id; an end time is a bonus.
            expires_at = session.get("expAt") and datetime.fromtimestamp(int(session["expAt"]), UTC)
            tokens = TokenSet(
                access_token=session["token"],
                expires_at=expires_at or None,
                extra={"email": username, "password": password, "area": area},
            )
        except (KeyError, TypeError, ValueError):
            raise ProviderApiError() from None
        return Connected(external_user_id=str(session["id"]), tokens=tokens)

    def refresh(self, credentials):
        """Sign in again with the kept password (this signs the phone app out once more)."""
        extra = credentials["extra"]
        return self.login(
            username=extra["email"], password=extra["password"], region=extra["area"]
        ).tokens


def _refusal(code) -> Exception:
    return InvalidCredentials() if str(code) in REFUSED else ProviderApiError()
