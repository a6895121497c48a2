"""Reading a /metrics answer with prometheus-client's own parser."""

from prometheus_client.parser import text_string_to_metric_families


class Scrape:
    def __init__(self, text: str):
        self.values = {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }

    def get(self, name: str, **labels) -> float | None:
        return self.values.get((name, frozenset(labels.items())))
