"""The official SDK pointed at a live server, each answer checked strictly (strict.py) against
the model the SDK's own signature names for it."""

import typing
from collections.abc import Mapping

import httpx
from vital import Vital
from vital.core.http_response import HttpResponse

from .strict import strict_problems


class Recorder:
    """`sdk("sleep.get", user_id, …)` calls the SDK and keeps what is wrong with the answer in
    `problems[name]` (empty lists when all conforms). `raw_clients` maps an SDK group
    (`sleep`) to its raw client class, whose signatures name the answers' models."""

    def __init__(
        self,
        url: str,
        key: str,
        raw_clients: Mapping[str, type],
        allowed_extras: Mapping[str, set[str]] = {},
    ):
        self.raw_clients, self.allowed_extras = raw_clients, allowed_extras
        self.answers: list[httpx.Response] = []
        self.problems: dict[str, list[str]] = {}
        client = httpx.Client(timeout=30, event_hooks={"response": [self._keep]})
        self.vital = Vital(api_key=key, base_url=url, httpx_client=client)

    def _keep(self, response: httpx.Response) -> None:
        response.read()
        self.answers.append(response)

    def __call__(self, name: str, *args, **kwargs):
        group, method = name.split(".")
        result = getattr(getattr(self.vital, group), method)(*args, **kwargs)
        self.problems.setdefault(name, []).extend(self.check(name, self.answers[-1]))
        return result

    def answer_type(self, name: str):
        """The model the SDK method parses a 2xx into, from its own signature."""
        group, method = name.split(".")
        returned = typing.get_type_hints(getattr(self.raw_clients[group], method))["return"]
        assert typing.get_origin(returned) is HttpResponse
        return typing.get_args(returned)[0]

    def check(self, name: str, answer: httpx.Response) -> list[str]:
        answer_type = self.answer_type(name)
        if answer_type is type(None):
            return [] if answer.status_code == 204 and not answer.content else ["not 204"]
        if answer_type is typing.Any or not answer.content.strip():
            # Untyped in the SDK, which reads an empty body as None, even for an error.
            return [] if answer.json() else ["an empty answer"]
        return strict_problems(answer_type, answer.content, allowed_extras=self.allowed_extras)
