"""Log records as one JSON object per line (DJANGO_LOG_FORMAT=json), for log collectors.

Only the time, level, logger, message and traceback are written, as the text format writes
them: never a record's extra attributes, which Django fills with the request (whose repr holds
the query string, where link tokens travel). Formatting only; the filters that keep secrets out
of messages stay on the handler."""

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)
