import pytest

from teams.services import webhook_endpoint_upsert
from tests.lifecycle.receiver import Receiver


@pytest.fixture
def receiver(team):
    """A real webhook receiver on loopback, registered as the team's endpoint."""
    r = Receiver()
    webhook_endpoint_upsert(team=team, url=r.url)
    yield r
    r.close()


def events(receiver: Receiver, event_type: str) -> list[str]:
    return [r["body"] for r in receiver.requests if f'"{event_type}"' in r["body"]]
