"""Sign-in with the user's own username and password, in one or more vendor steps. When the
vendor asks for a one-time code, `login` raises MfaRequired; the caller keeps what the user typed
(encrypted, for the length of the link session) and calls `login` again with `mfa_code`."""

from typing import ClassVar

from .base import Adapter, Connected


class PasswordAdapter(Adapter):
    auth_type = "password"
    # True only where the vendor offers no way to stay connected without it (see the module).
    stores_password: ClassVar[bool] = False

    def login(
        self, *, username: str, password: str, region: str | None, mfa_code: str | None = None
    ) -> Connected:
        raise NotImplementedError
