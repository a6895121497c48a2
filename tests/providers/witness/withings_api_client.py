"""withings-api's client for a Withings access token, as the read witnesses use it (the
refresh side is never exercised: the tokens outlive the script)."""

from withings_api import WithingsApi
from withings_api.common import Credentials2


def withings_api(access_token: str) -> WithingsApi:
    return WithingsApi(
        Credentials2(
            access_token=access_token,
            token_type="Bearer",
            refresh_token="unused",
            userid=1,
            client_id="unused",
            consumer_secret="unused",
            expires_in=3600,
        )
    )
