"""The normalised store. Every read and write is for one end user, so every table leads with
`user`: that is the index prefix here, and the shard key past one machine (README, "Health
data"). Nothing refers to a sample or a summary, so Django deletes them with their user in one
statement per table (a "fast delete"), never loading a year of samples into Python."""

from django.db import models
from django.utils import timezone

from connections.models import Connection
from teams.models import EndUser

from .resources import SERIES


class Source(models.Model):
    """Where data came from, as Vital's `ClientFacingSource`: a provider and, when known, the
    kind of device or app and its id."""

    user = models.ForeignKey(EndUser, on_delete=models.CASCADE, related_name="health_sources")
    connection = models.ForeignKey(
        Connection, on_delete=models.SET_NULL, null=True, related_name="health_sources"
    )
    provider = models.CharField(max_length=40)
    type = models.CharField(max_length=32, default="unknown")  # ring, watch, scale, automatic…
    device_id = models.CharField(max_length=100, blank=True)  # blank: unknown

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "provider", "type", "device_id"], name="one_source_per_device"
            )
        ]

    def __str__(self):
        return f"{self.provider} {self.type}"


class Sample(models.Model):
    """One time series sample. The primary key is Vital's natural key, (resource, provider,
    source type, timestamp), per user; its order also makes it the read index (user, resource,
    time), so each insert touches one b-tree and a window is read in order with no sort."""

    pk = models.CompositePrimaryKey("user_id", "resource", "ts", "source_id")
    user = models.ForeignKey(EndUser, on_delete=models.CASCADE, db_index=False)
    resource = models.PositiveSmallIntegerField(choices=[(s.code, s.slug) for s in SERIES])
    ts = models.DateTimeField()  # `timestamp`, and `start` of an interval sample
    # A source goes only with its user, whose rows the database removes; a constraint or an
    # index on this column would be a second b-tree on every insert.
    source = models.ForeignKey(
        Source, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    end_ts = models.DateTimeField(null=True)  # interval samples only
    value = models.FloatField()  # systolic for blood pressure
    value2 = models.FloatField(null=True)  # diastolic
    timezone_offset = models.IntegerField(null=True)  # seconds east of UTC; null: unknown
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.get_resource_display()} {self.ts:%Y-%m-%d %H:%M}"


class Summary(models.Model):
    """What every summary has. Its `id` is derived from (user, provider, resource, the vendor's
    id of it), so a re-pull finds the row again and Vital's rule holds: "given the same ID, the
    latest version replaces all its previous versions". Vital's optional fields are null when
    absent, strings too, so they are nullable here (hence the DJ001 exceptions)."""

    id = models.UUIDField(primary_key=True)
    user = models.ForeignKey(EndUser, on_delete=models.CASCADE, db_index=False, related_name="+")
    source = models.ForeignKey(  # rows go with the user: see Sample.source
        Source, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    provider_id = models.CharField(max_length=200)  # the vendor's id of it
    raw = models.JSONField(default=dict)  # the vendor's own JSON, for the /raw answers
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    # Fields of ours, not of Vital's model.
    INTERNAL = ("id", "user", "source", "provider_id", "raw", "created_at", "updated_at")
    # Whether Vital's model has the deprecated `date` (calendar_date at UTC midnight).
    dated = True

    class Meta:
        abstract = True

    def __str__(self):
        return f"{type(self).__name__} {self.provider_id}"


class DailySummary(Summary):
    calendar_date = models.DateField()  # the user's local day

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["user", "calendar_date"], name="%(class)s_user_day")]


class Sleep(DailySummary):
    """Vital's ClientFacingSleep; durations in seconds, heart rates in bpm."""

    bedtime_start = models.DateTimeField()
    bedtime_stop = models.DateTimeField()
    timezone_offset = models.IntegerField(null=True, blank=True)
    type = models.CharField(max_length=20)  # long_sleep, short_sleep, acknowledged_nap, unknown
    duration = models.IntegerField()
    total = models.IntegerField()
    awake = models.IntegerField()
    light = models.IntegerField()
    rem = models.IntegerField()
    deep = models.IntegerField()
    score = models.IntegerField(null=True, blank=True)
    hr_lowest = models.IntegerField(null=True, blank=True)
    hr_average = models.IntegerField(null=True, blank=True)
    hr_resting = models.IntegerField(null=True, blank=True)
    efficiency = models.FloatField(null=True, blank=True)  # 0-100, as the SDK's docstring says
    latency = models.IntegerField(null=True, blank=True)
    temperature_delta = models.FloatField(null=True, blank=True)
    skin_temperature = models.FloatField(null=True, blank=True)
    hr_dip = models.FloatField(null=True, blank=True)
    state = models.CharField(max_length=20, null=True, blank=True)  # noqa: DJ001 (tentative, confirmed)
    average_hrv = models.FloatField(null=True, blank=True)
    respiratory_rate = models.FloatField(null=True, blank=True)


class Activity(DailySummary):
    """Vital's ClientFacingActivity: one day; kcal, metres, minutes."""

    timezone_offset = models.IntegerField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 (IANA)
    calories_total = models.FloatField(null=True, blank=True)
    calories_active = models.FloatField(null=True, blank=True)
    steps = models.IntegerField(null=True, blank=True)
    daily_movement = models.FloatField(null=True, blank=True)
    distance = models.FloatField(null=True, blank=True)
    low = models.FloatField(null=True, blank=True)
    medium = models.FloatField(null=True, blank=True)
    high = models.FloatField(null=True, blank=True)
    floors_climbed = models.IntegerField(null=True, blank=True)
    heart_rate = models.JSONField(
        null=True, blank=True
    )  # {avg_bpm, min_bpm, max_bpm, resting_bpm, …}
    wheelchair_use = models.BooleanField(null=True, blank=True)
    wheelchair_push = models.IntegerField(null=True, blank=True)


class Workout(DailySummary):
    """Vital's ClientFacingWorkout; `provider_id` is the vendor's workout id. The stream is
    Vital's ClientFacingStream (parallel arrays), read whole, never filtered."""

    dated = False
    INTERNAL = (*Summary.INTERNAL, "stream")

    title = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    time_start = models.DateTimeField()
    time_end = models.DateTimeField()
    timezone_offset = models.IntegerField(null=True, blank=True)
    sport = models.JSONField(null=True, blank=True)  # {id, name, slug}
    average_hr = models.IntegerField(null=True, blank=True)
    max_hr = models.IntegerField(null=True, blank=True)
    distance = models.FloatField(null=True, blank=True)
    calories = models.FloatField(null=True, blank=True)
    hr_zones = models.JSONField(null=True, blank=True)  # seconds in six zones of max heart rate
    moving_time = models.IntegerField(null=True, blank=True)
    total_elevation_gain = models.FloatField(null=True, blank=True)
    elev_high = models.FloatField(null=True, blank=True)
    elev_low = models.FloatField(null=True, blank=True)
    average_speed = models.FloatField(null=True, blank=True)
    max_speed = models.FloatField(null=True, blank=True)
    average_watts = models.FloatField(null=True, blank=True)
    device_watts = models.FloatField(null=True, blank=True)
    max_watts = models.FloatField(null=True, blank=True)
    weighted_average_watts = models.FloatField(null=True, blank=True)
    steps = models.IntegerField(null=True, blank=True)
    map = models.JSONField(null=True, blank=True)  # {polyline, summary_polyline}
    stream = models.JSONField(null=True, blank=True)


class Body(DailySummary):
    """Vital's ClientFacingBody: one measurement; kg and percentages."""

    weight = models.FloatField(null=True, blank=True)
    fat = models.FloatField(null=True, blank=True)
    water_percentage = models.FloatField(null=True, blank=True)
    muscle_mass_percentage = models.FloatField(null=True, blank=True)
    visceral_fat_index = models.FloatField(null=True, blank=True)
    bone_mass_percentage = models.FloatField(null=True, blank=True)
    body_mass_index = models.FloatField(null=True, blank=True)
    lean_body_mass_kilogram = models.FloatField(null=True, blank=True)
    waist_circumference_centimeter = models.FloatField(null=True, blank=True)

    class Meta(DailySummary.Meta):
        verbose_name_plural = "bodies"


class Profile(Summary):
    """Vital's ClientFacingProfile: one per user and provider; height in cm."""

    dated = False

    height = models.IntegerField(null=True, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    wheelchair_use = models.BooleanField(null=True, blank=True)
    gender = models.CharField(max_length=20, null=True, blank=True)  # noqa: DJ001
    sex = models.CharField(max_length=20, null=True, blank=True)  # noqa: DJ001

    class Meta:
        indexes = [models.Index(fields=["user"], name="profile_user")]


SUMMARY_MODELS: dict[str, type[Summary]] = {
    "sleep": Sleep,
    "activity": Activity,
    "workouts": Workout,
    "body": Body,
    "profile": Profile,
}


def vital_fields(model: type[Summary]) -> list[models.Field]:
    """The model's columns that are fields of Vital's model of it, by the same names."""
    return [f for f in model._meta.concrete_fields if f.name not in model.INTERNAL]


class PullState(models.Model):
    """The pull bookkeeping of one resource of one connection: where the incremental pulls got
    to (the vendor's cursor), how the last one went, what the store holds, and the historical
    backfill's progress. It answers the introspection endpoints and the console, and its lease
    lets one worker at a time pull the resource without holding a database lock over a vendor
    call."""

    class Status(models.TextChoices):
        SUCCESS = "success"
        FAILURE = "failure"

    class Historical(models.TextChoices):  # Vital's HistoricalPullStatus
        SCHEDULED = "scheduled"
        IN_PROGRESS = "in_progress"
        RETRYING = "retrying"
        SUCCESS = "success"
        FAILURE = "failure"

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="pulls")
    resource = models.CharField(max_length=40)
    cursor = models.CharField(max_length=500, blank=True)  # the vendor's, opaque to us
    lease_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField("last pull", max_length=16, choices=Status.choices, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_count = models.PositiveBigIntegerField("created", default=0)  # *.created events
    updated_count = models.PositiveBigIntegerField("updated", default=0)
    # Incremental pulls have read the vendor up to here; the next starts a little before it
    # (providers.data.VendorData.revision) and is due at next_pull_at.
    pulled_until = models.DateTimeField(null=True, blank=True)
    next_pull_at = models.DateTimeField(null=True, blank=True, db_index=True)
    oldest_data = models.DateTimeField(null=True, blank=True)
    newest_data = models.DateTimeField(null=True, blank=True)
    historical_status = models.CharField(
        "backfill", max_length=16, choices=Historical.choices, blank=True
    )
    historical_start = models.DateTimeField(null=True, blank=True)
    historical_end = models.DateTimeField(null=True, blank=True)
    historical_scheduled_at = models.DateTimeField(null=True, blank=True)
    historical_started_at = models.DateTimeField(null=True, blank=True)
    historical_ended_at = models.DateTimeField(null=True, blank=True)
    historical_days_with_data = models.PositiveIntegerField(null=True, blank=True)
    historical_error = models.CharField(max_length=40, blank=True)  # Vital's error_details

    class Meta:
        verbose_name = verbose_name_plural = "data freshness"  # its name in the console
        constraints = [
            models.UniqueConstraint(fields=["connection", "resource"], name="one_pull_per_resource")
        ]

    def __str__(self):
        return f"{self.resource} of {self.connection_id}"
