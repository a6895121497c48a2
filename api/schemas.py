"""Request and response bodies, field for field as Vital's v2 API (see vital-api.md)."""

from datetime import date, datetime
from functools import cache
from typing import Any, Literal
from uuid import UUID
from zoneinfo import available_timezones

from ninja import Schema
from pydantic import ConfigDict, Field, field_validator

from providers.availability import NotOffered
from providers.base import Status

_time_zones = cache(available_timezones)


class ErrorDetail(Schema):
    error_type: str
    error_message: str


class ErrorOut(Schema):
    detail: ErrorDetail | str


class NotFoundOut(Schema):
    detail: str


class DuplicateUserDetail(ErrorDetail):
    user_id: UUID
    created_on: datetime


class DuplicateUserOut(Schema):
    detail: DuplicateUserDetail


class ProviderOut(Schema):
    name: str
    slug: str
    logo: str


class ConnectedSourceOut(Schema):
    provider: ProviderOut
    source: ProviderOut
    created_on: datetime


class FallbackTimeZoneOut(Schema):
    id: str
    source_slug: str
    updated_at: datetime


class FallbackBirthDateOut(Schema):
    value: date
    source_slug: str
    updated_at: datetime


class UserOut(Schema):
    user_id: UUID
    team_id: UUID
    client_user_id: str
    created_on: datetime
    connected_sources: list[ConnectedSourceOut]
    fallback_time_zone: FallbackTimeZoneOut | None = None
    fallback_birth_date: FallbackBirthDateOut | None = None
    ingestion_start: str | None = None
    ingestion_end: str | None = None


class UserListOut(Schema):
    users: list[UserOut]
    total: int
    offset: int
    limit: int


class _UserFields(Schema):
    fallback_time_zone: str | None = Field(
        None,
        max_length=64,
        json_schema_extra=lambda schema: schema.update(enum=[*sorted(_time_zones()), None]),
    )
    fallback_birth_date: date | None = None
    ingestion_start: date | None = None
    ingestion_end: date | None = None

    @field_validator("fallback_time_zone")
    @classmethod
    def _known_time_zone(cls, value):
        if value is not None and value not in _time_zones():
            raise ValueError("must be an IANA time zone such as 'Europe/London'")
        return value


class UserCreateIn(_UserFields):
    client_user_id: str = Field(min_length=1, max_length=255)


class UserPatchIn(_UserFields):
    client_user_id: str | None = Field(None, min_length=1, max_length=255)


class SuccessOut(Schema):
    success: bool


class UserRefreshOut(Schema):
    success: Literal[True]
    user_id: UUID
    refreshed_sources: list[str]
    in_progress_sources: list[str]
    failed_sources: list[str]


class UserRefreshErrorOut(Schema):
    success: Literal[False]
    user_id: UUID
    error: str
    failed_sources: list[str]


class MetricPointOut(Schema):
    date: datetime
    value: float = Field(description="Connections made that week.")
    all: float = Field(description="Connections made up to the end of that week.")


class MetricsOut(Schema):
    team_id: UUID
    number_of_connected_sources: int
    number_of_users: int
    number_of_errored_connected_sources: int
    number_of_connected_sources_by_week: list[MetricPointOut]
    number_of_ordered_tests: int = Field(0, description="Always 0: Link orders no lab tests.")


class _Address(Schema):
    first_line: str = Field(max_length=200)
    second_line: str | None = Field("", max_length=200)
    country: str = Field(max_length=100)
    zip: str = Field(max_length=20)
    city: str = Field(max_length=100)
    state: str = Field(max_length=100)
    access_notes: str | None = Field(None, max_length=1000)


class _Guarantor(Schema):
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    address: _Address
    phone_number: str = Field(max_length=40)
    household_income: int | None = None
    household_size: int | None = None
    email: str | None = Field(None, max_length=320)


_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class UserInfo(Schema):
    """Vital's UserInfo (the body of `PATCH …/info` and the answer of both info calls)."""

    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str = Field(max_length=320, pattern=_EMAIL)
    phone_number: str = Field(max_length=40)
    gender: str = Field(max_length=40)
    dob: date
    address: _Address
    medical_proxy: _Guarantor | None = None
    race: (
        Literal[
            "african_american_or_black",
            "asian",
            "indigenous_native_american_alaska_native",
            "other",
            "pacific_islander_or_hawaiian",
            "white_caucasian",
        ]
        | None
    ) = None
    ethnicity: Literal["hispanic", "non_hispanic", "ashkenazi_jewish", "other"] | None = None
    sexual_orientation: (
        Literal[
            "lesbian_gay_or_homosexual",
            "heterosexual_or_straight",
            "bisexual",
            "dont_know",
            "other",
        ]
        | None
    ) = None
    gender_identity: (
        Literal[
            "male",
            "female",
            "female_to_male_ftm_transgender_male_trans_man",
            "male_to_female_mtf_transgender_female_trans_woman",
            "genderqueer",
            "other",
        ]
        | None
    ) = None


class DeviceOut(Schema):
    id: UUID
    user_id: UUID
    provider: str
    source_type: str
    app_id: str | None = None
    device_manufacturer: str | None = None
    device_model: str | None = None
    device_version: str | None = None
    device_id: str | None = None


class SignInTokenOut(Schema):
    user_id: UUID
    sign_in_token: str


class PortalUrlIn(Schema):
    context: Literal["launch", "communications"]
    order_id: UUID | None = None


class PortalUrlOut(Schema):
    url: str
    expires_in: int


class ErrorDetailsOut(Schema):
    error_type: str
    error_message: str
    errored_at: datetime


class ProviderWithStatusOut(ProviderOut):
    created_on: datetime
    status: str
    resource_availability: dict[str, Any]
    external_user_id: str | None = None
    error_details: ErrorDetailsOut | None = None


class ConnectedProvidersOut(Schema):
    providers: list[ProviderWithStatusOut]


class NotOfferedOut(Schema):
    reason: NotOffered
    message: str


class ProviderDetailedOut(Schema):
    name: str
    slug: str
    description: str
    logo: str | None
    auth_type: str | None
    supported_resources: list[str]
    status: Status
    docs_url: str
    checked_on: str
    sources: list[str]
    note: str
    offered: bool = Field(description="Whether this team's users are offered the provider now.")
    not_offered: NotOfferedOut | None = Field(description="Why not, when it is not offered.")


def _one_of_required(*names: str) -> dict:
    """JSON schema: at least one of `names` is given, and not null."""
    return {
        "anyOf": [{"required": [name], "properties": {name: {"type": "string"}}} for name in names]
    }


class LinkTokenIn(Schema):
    model_config = ConfigDict(json_schema_extra=_one_of_required("user_id", "user_key"))

    user_id: UUID | None = None
    user_key: UUID | None = Field(None, description="Legacy name of user_id (2021 SDKs).")
    provider: str | None = Field(None, max_length=40)
    redirect_url: str | None = Field(None, max_length=2000)
    filter_on_providers: list[str] | None = Field(None, min_length=1, max_length=50)
    on_error: Literal["redirect"] | None = None
    on_close: Literal["redirect"] | None = None


class LinkTokenOut(Schema):
    link_token: str
    link_web_url: str


class TokenValidIn(Schema):
    token: str = Field(max_length=200)


class TokenValidOut(Schema):
    valid: bool
    reason: str | None = None


class LinkStateOut(Schema):
    state: str
    provider: str | None
    error_type: str | None
    user_id: UUID
    team_id: UUID
    redirect_url: str | None
    filter_on_providers: list[str] | None
    on_error: str | None
    on_close: str | None
    expires_at: datetime


class SourceLinkOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    logo: str
    oauth_url: str | None = None
    auth_type: str
    form_components: dict[str, Any]


class LinkConfigOut(Schema):
    team_id: UUID
    team_name: str
    logo_url: str | None
    accent_color: str
    terms_url: str | None
    privacy_url: str | None
    provider: str | None
    filter_on_providers: list[str] | None


class LinkCodeOut(Schema):
    code: str
    exchange_url: str
    expires_at: datetime
