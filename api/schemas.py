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
    ingestion_start: str | None = Field(None, max_length=32)
    ingestion_end: str | None = Field(None, max_length=32)

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
    success: bool
    user_id: UUID
    refreshed_sources: list[str]
    in_progress_sources: list[str]
    failed_sources: list[str]


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
