"""Access-log lines without the credentials some URLs carry: the link token (`link_web_url` and
every widget step), and an OAuth `code` and `state` (a vendor's return). Applied to runserver's
`django.server` log (settings.LOGGING) and to gunicorn's access log (gunicorn.conf.py); a proxy
in front logs on its own (SECURITY.md says how to keep it from logging them)."""

import logging
import re

_URL_SECRETS = re.compile(r"([?&](?:token|code|state)=)[^&\s\"']*", re.IGNORECASE)


def redact(text: str) -> str:
    return _URL_SECRETS.sub(r"\1[redacted]", text)


class RedactUrlSecrets(logging.Filter):
    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):  # gunicorn's access-log atoms
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        elif record.args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True
