"""Secrets at rest: Fernet through MultiFernet so keys rotate (LINK_ENCRYPTION_KEYS, newest
first). Values are JSON, encrypted whole; the database only ever sees the Fernet token."""

import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "LINK_ENCRYPTION_KEYS must be comma-separated Fernet keys "
            "(generate one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.LINK_ENCRYPTION_KEYS))


def encrypt(value) -> str:
    return fernet().encrypt(json.dumps(value, separators=(",", ":")).encode()).decode()


def decrypt(token: str):
    try:
        return json.loads(fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with any key in LINK_ENCRYPTION_KEYS."
        ) from exc


class EncryptedJSONField(models.TextField):
    """A JSON value stored as a Fernet token. Never searchable, never shown."""

    def from_db_value(self, value, expression, connection):
        return None if value in (None, "") else decrypt(value)

    def get_prep_value(self, value):
        return None if value is None else encrypt(value)

    def to_python(self, value):
        return value
