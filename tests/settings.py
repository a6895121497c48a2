"""Test settings: the project's settings with development fallbacks and fast hashing."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from linkwidget.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
