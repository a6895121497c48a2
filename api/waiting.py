import time
from collections.abc import Callable

_POLL_SECONDS = 0.2


def wait_until(done: Callable[[], bool], seconds: float) -> bool:
    """Poll `done` until it is true or `seconds` have passed (for the operations whose caller
    may wait for background work, as Vital lets them); whether it became true."""
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_SECONDS)
    return True
