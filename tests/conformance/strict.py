"""Checking an answer against the official SDK's model of it, more strictly than the SDK does.

The SDK parses leniently: pydantic's lax mode ("52.0" for an int, "61" for a number), open
enums (an unknown value becomes `_UNKNOWN`), `extra="allow"` on every model, and naive
datetimes. A clone can pass that and still mislead a client written in another language, so
here: pydantic's strict mode on the raw JSON (required fields present, JSON types exact), every
enum value one the SDK names, every datetime with an offset, and no field the SDK's model does
not declare unless the caller allows it by name (the conformance test's commented list of our
deliberate additions). Forbidding extras catches a misspelt optional field, which strict mode
alone would let through as an extra."""

import enum
from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, TypeAdapter, ValidationError


def strict_problems(
    answer_type, body: bytes, *, allowed_extras: Mapping[str, set[str]] = {}
) -> list[str]:
    """What is wrong with `body` as the SDK's `answer_type`; empty when it conforms."""
    try:
        value = TypeAdapter(answer_type).validate_json(body, strict=True)
    except ValidationError as exc:
        return [f"{_where(e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)]
    problems: list[str] = []
    _walk(value, "$", problems, allowed_extras)
    return problems


def _where(loc) -> str:
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)


def _walk(value, where: str, problems: list[str], allowed: Mapping[str, set[str]]) -> None:
    if isinstance(value, BaseModel):
        model = type(value).__name__
        for key in sorted(set(value.model_extra or ()) - allowed.get(model, set())):
            problems.append(f"{where}.{key}: not a field of the SDK's {model}")
        for name in type(value).model_fields:
            _walk(getattr(value, name), f"{where}.{name}", problems, allowed)
    elif isinstance(value, enum.Enum):
        # The SDK's open enums turn an unknown value into their `_UNKNOWN` member.
        if value.name == "_UNKNOWN":
            problems.append(
                f"{where}: {value.value!r} is not one of the SDK's {type(value).__name__}"
            )
    elif isinstance(value, datetime):
        if value.tzinfo is None:
            problems.append(f"{where}: {value.isoformat()} has no UTC offset")
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(item, f"{where}.{key}", problems, allowed)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _walk(item, f"{where}[{index}]", problems, allowed)
