"""FreeStyle Libre's glucose, read through LibreLinkUp with the practice account's ticket (see
the adapter): `GET /llu/connections/{patientId}/graph`, about the last 12 hours of readings 15
minutes apart (`data.graphData`, the newest in `data.connection.glucoseMeasurement`), then
`GET /llu/connections/{patientId}/logbook`, about two weeks of glucose events (`data`). LibreLinkUp
keeps nothing older, so a backfill gets those 12 hours and two weeks of events, not
LINK_BACKFILL_DAYS; the hourly pulls keep the graph's readings as they come.

Each reading: `FactoryTimestamp` in UTC and `Timestamp` on the phone's clock, both
"M/D/YYYY h:mm:ss AM"; `ValueInMgPerDl` always in mg/dL (`Value` is in the patient's
`GlucoseUnits`, 0 mmol/L, 1 mg/dL, so it is not read). Answers are `{"status": 0, "data": …}`;
another status (4: the patient could not be loaded) is an error.

Sources: pylibrelinkup (robberwick/pylibrelinkup: pylibrelinkup.py `graph`, `logbook`;
models/data.py GlucoseMeasurement, which parses both timestamps with "%m/%d/%Y %I:%M:%S %p" and
takes FactoryTimestamp as UTC; models/connection.py GraphResponse, LogbookResponse);
nightscout-librelink-up (timoschlueter/nightscout-librelink-up: src/index.ts dates its entries
by FactoryTimestamp and takes `sgv` from ValueInMgPerDl; src/interfaces/librelink/common.ts
GlucoseItem); libre-link-up-api-client (DiaKEM/libre-link-up-api-client: src/client.ts reads
`connection.glucoseMeasurement` and `graphData` from the graph). Unverified: which events a real
logbook holds, and how far back each endpoint reaches exactly (the clients say "approximately")."""

from datetime import UTC, datetime

from ...data import Page, SampleRecord, VendorData
from ...errors import ProviderError

# mg/dL per mmol/L for glucose: its molar mass, 180.156 g/mol, is 180.156 mg per mmol, and a
# litre is 10 dL, so 1 mmol/L = 18.0156 mg/dL.
MG_DL_PER_MMOL_L = 18.0156
_TIME_FORMAT = "%m/%d/%Y %I:%M:%S %p"
_NEXT = {"graph": "logbook", "logbook": None}  # the two answers, read one page each


class FreestyleLibreData(VendorData):
    resources = ("glucose",)

    def page(self, resource, start, end, cursor):
        endpoint = cursor or "graph"
        if endpoint not in _NEXT:
            raise ProviderError(f"Unknown FreeStyle Libre page {endpoint!r}.")
        answer = self.get(f"/llu/connections/{self.credentials['patient_id']}/{endpoint}")
        if not isinstance(answer, dict) or answer.get("status") != 0:
            status = answer.get("status") if isinstance(answer, dict) else None
            raise ProviderError(f"LibreLinkUp answered status {status!r}.")
        try:
            items = _graph_items(answer["data"]) if endpoint == "graph" else answer["data"]
            readings = {r.timestamp: r for r in map(_reading, items)}
        except (KeyError, TypeError, ValueError) as exc:
            raise ProviderError(f"LibreLinkUp's {endpoint} is not as expected ({exc}).") from None
        records = [r for at, r in sorted(readings.items()) if start <= at <= end]
        return Page(records, _NEXT[endpoint])


def _graph_items(data: dict) -> list[dict]:
    return [*data["graphData"], data["connection"]["glucoseMeasurement"]]


def _reading(item: dict) -> SampleRecord:
    """One reading in mmol/L, at its UTC time, with the phone's offset from UTC then."""
    at = datetime.strptime(item["FactoryTimestamp"], _TIME_FORMAT)
    local = datetime.strptime(item["Timestamp"], _TIME_FORMAT)
    mg_dl = float(item["ValueInMgPerDl"])
    if not 0 < mg_dl < 1000:
        raise ValueError(f"{mg_dl} mg/dL")
    return SampleRecord(
        timestamp=at.replace(tzinfo=UTC),
        value=mg_dl / MG_DL_PER_MMOL_L,
        timezone_offset=round((local - at).total_seconds()),
        source_type="automatic",  # a continuous glucose monitor's own readings
    )
