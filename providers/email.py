"""Connection by email alone: the user gives an address (and a region), and the vendor side
links the account later, so the connection starts out pending."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from .base import Adapter


@dataclass(frozen=True)
class Enrolment:
    external_user_id: str
    credentials: dict = field(repr=False)


class EmailAdapter(Adapter):
    auth_type = "email"

    def enrol(self, *, email: str, region: str | None, name: str | None = None) -> Enrolment:
        """The pending connection's enrolment: the email (and the name as the vendor shows it,
        where given) the vendor side is to be matched by."""
        raise NotImplementedError

    def check(self, credentials: dict, peers: Sequence[dict] = ()) -> Enrolment | None:
        """Whether the vendor side has linked the account yet: the enrolment to store, now with
        the vendor's id for the user, or None while it is still pending. `peers` are the
        credentials of the provider's other pending and connected connections, for a vendor that
        must tell its users apart by which of its accounts are already taken or still awaited."""
        raise NotImplementedError
