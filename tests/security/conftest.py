import threading

import pytest
import requests

from tests.lifecycle.receiver import Receiver
from webhooks.services import webhook_endpoint_upsert


@pytest.fixture
def receiver(team):
    """A real webhook receiver on loopback, registered as the team's endpoint."""
    r = Receiver()
    webhook_endpoint_upsert(team=team, url=r.url)
    yield r
    r.close()


def events(receiver: Receiver, event_type: str) -> list[str]:
    return [r["body"] for r in receiver.requests if f'"{event_type}"' in r["body"]]


def at_once(*calls) -> list[requests.Response]:
    """Run the calls in threads released together; their responses, in order."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        answers[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return answers
