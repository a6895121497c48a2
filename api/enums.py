"""Vital's published enums for the inputs it types by them: a value outside the list is a 422,
as Vital answers. From `tryVital/docs` `docs/swagger.json` (API 0.4.687, commit e3e95fe0),
where the official `vital` 2.1.569 SDK's `types/` agree. Each member's value is its name."""

from enum import StrEnum

Providers = StrEnum(
    "Providers",
    "oura fitbit garmin whoop strava renpho peloton wahoo zwift freestyle_libre "
    "abbott_libreview freestyle_libre_ble eight_sleep withings apple_health_kit manual "
    "ihealth google_fit beurer_api beurer_ble omron omron_ble onetouch_ble accuchek_ble "
    "contour_ble dexcom dexcom_v3 hammerhead my_fitness_pal health_connect polar "
    "cronometer kardia whoop_v2 ultrahuman my_fitness_pal_v2 map_my_fitness runkeeper "
    "google_health",
)

OAuthProviders = StrEnum(
    "OAuthProviders",
    "oura fitbit garmin strava wahoo ihealth withings google_fit dexcom_v3 polar "
    "cronometer omron whoop_v2 my_fitness_pal_v2 ultrahuman runkeeper google_health",
)

Region = StrEnum(
    "Region",
    "us eu de fr ca br ar cl co mx gb ie au nz nl at be bh ch cz dk eg es fi gr hr il it "
    "jo kw lb lu no om pl pt qa sa se si sk tr za in sg hk kr ph tw",
)
