from tests.providers.conftest import live_user, new_link_token, sandbox  # noqa: F401
from tests.widget.conftest import widget  # noqa: F401
