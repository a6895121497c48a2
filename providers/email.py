"""Connection by email alone: the user gives an address (and a region), and the vendor side
links the account later, so the connection starts out pending."""

from dataclasses import dataclass, field

from .base import Adapter


@dataclass(frozen=True)
class Enrolment:
    external_user_id: str
    credentials: dict = field(repr=False)


class EmailAdapter(Adapter):
    auth_type = "email"

    def enrol(self, *, email: str, region: str | None) -> Enrolment:
        raise NotImplementedError

    def check(self, credentials: dict) -> Enrolment | None:
        """Whether the vendor side has linked the account yet: the enrolment to store, now with
        the vendor's id for the user, or None while it is still pending."""
        raise NotImplementedError
