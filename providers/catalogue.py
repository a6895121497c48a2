"""What we tell customers and end users about each provider: the 17 providers of the original
Link docs, with the truth about each vendor's login as of `checked_on`."""

from dataclasses import dataclass

from django.conf import settings
from django.templatetags.static import static


@dataclass(frozen=True)
class ProviderInfo:
    id: int  # Vital's numeric source id; the SDK requires one
    slug: str
    name: str
    description: str
    auth_type: str  # "oauth" | "password" | "email", as Vital spells SourceAuthType
    supported_resources: tuple[str, ...]
    status: str  # "live" | "beta" | "legacy" | "sunsetting"
    docs_url: str
    checked_on: str
    note: str = ""

    @property
    def logo(self) -> str:
        return settings.LINK_PUBLIC_URL + static(f"providers/{self.slug}.svg")


_ACTIVITY = ("activity", "workouts", "sleep", "body", "heartrate", "profile")

CATALOGUE: dict[str, ProviderInfo] = {
    p.slug: p
    for p in (
        ProviderInfo(
            1,
            "fitbit",
            "Fitbit",
            "Activity, sleep and heart rate from Fitbit devices.",
            "oauth",
            (*_ACTIVITY, "hrv", "blood_oxygen", "weight"),
            "sunsetting",
            "https://dev.fitbit.com/build/reference/web-api/developer-guide/authorization/",
            "2026-11-01",
            "Google is retiring the legacy Fitbit Web API in 2026 in favour of the Google "
            "Health API; existing OAuth apps keep working until the shutdown date.",
        ),
        ProviderInfo(
            2,
            "garmin",
            "Garmin",
            "Activities, sleep, stress and body data from Garmin Connect.",
            "oauth",
            (*_ACTIVITY, "stress_level", "blood_oxygen"),
            "live",
            "https://developerportal.garmin.com/developer-programs/connect-developer-api",
            "2026-11-01",
            "Uses OAuth 2.0 with PKCE; Garmin retires OAuth 1.0a on 2026-12-31.",
        ),
        ProviderInfo(
            3,
            "oura",
            "Oura",
            "Sleep, readiness and activity from the Oura Ring.",
            "oauth",
            (*_ACTIVITY, "hrv", "body_temperature"),
            "live",
            "https://cloud.ouraring.com/v2/docs",
            "2026-11-01",
        ),
        ProviderInfo(
            4,
            "strava",
            "Strava",
            "Rides, runs and other workouts from Strava.",
            "oauth",
            ("workouts", "workout_stream", "profile"),
            "live",
            "https://developers.strava.com/docs/authentication/",
            "2026-11-01",
        ),
        ProviderInfo(
            5,
            "wahoo",
            "Wahoo",
            "Workouts from Wahoo bike computers and trainers.",
            "oauth",
            ("workouts", "profile"),
            "live",
            "https://cloud-api.wahooligan.com/",
            "2026-11-01",
        ),
        ProviderInfo(
            6,
            "ihealth",
            "iHealth",
            "Blood pressure, weight and glucose from iHealth devices.",
            "oauth",
            ("blood_pressure", "weight", "glucose", "body", "profile"),
            "live",
            "https://developer.ihealthlabs.com/dev_documentation_openapidoc.htm",
            "2026-11-01",
        ),
        ProviderInfo(
            7,
            "withings",
            "Withings",
            "Weight, body composition, sleep and activity from Withings.",
            "oauth",
            ("body", "weight", "fat", "sleep", "activity", "heartrate", "blood_pressure"),
            "live",
            "https://developer.withings.com/developer-guide/v3/integration-guide/"
            "public-health-data-api/get-access/access-and-refresh-tokens-no-recover",
            "2026-11-01",
        ),
        ProviderInfo(
            8,
            "renpho",
            "Renpho",
            "Weight and body composition from Renpho smart scales.",
            "password",
            ("body", "weight", "fat"),
            "live",
            "https://github.com/ra486/hacs-renpho-health",
            "2026-11-01",
            "Unofficial API of the Renpho Health app (the old Renpho app's API is retired). "
            "Signing in here signs the user out of the Renpho phone app. Renpho has no refresh "
            "token, so the password is kept, encrypted, to sign in again when the session ends.",
        ),
        ProviderInfo(
            9,
            "zwift",
            "Zwift",
            "Indoor rides and runs from Zwift.",
            "password",
            ("workouts", "workout_stream", "profile"),
            "live",
            "https://zwift.com/",
            "2026-11-01",
            "Unofficial API: a Keycloak password grant with Zwift's public client id.",
        ),
        ProviderInfo(
            10,
            "peloton",
            "Peloton",
            "Classes and workouts from Peloton.",
            "password",
            ("workouts", "workout_stream", "profile"),
            "live",
            "https://github.com/philosowaffle/peloton-to-garmin/issues/795",
            "2026-11-01",
            "Unofficial: Peloton's old /auth/login endpoint was retired in late 2025 and its "
            "Auth0 tenant refuses the password grant, so login runs Peloton's web sign-in in "
            "several steps (with PKCE). No password is stored.",
        ),
        ProviderInfo(
            11,
            "eight_sleep",
            "Eight Sleep",
            "Sleep and bed temperature from Eight Sleep pods.",
            "password",
            ("sleep", "heartrate", "hrv", "body_temperature"),
            "live",
            "https://github.com/lukas-clarke/eight_sleep",
            "2026-11-01",
            "Unofficial API: a password grant with the app's own client id and secret, which "
            "Eight Sleep may change with an app update. No password is stored.",
        ),
        ProviderInfo(
            12,
            "beurer_api",
            "Beurer",
            "Blood pressure and weight from Beurer HealthManager Pro.",
            "password",
            ("blood_pressure", "weight", "glucose"),
            "beta",
            "https://www.beurer.com/web/gb/service/healthmanager-pro/",
            "2026-11-01",
            "Beta: Beurer publishes no cloud API and no open implementation of its login was "
            "found; the flow follows the common OAuth password-grant shape and its endpoint is "
            "unverified, so production sign-ins may fail until it is checked against the app.",
        ),
        ProviderInfo(
            13,
            "whoop",
            "WHOOP (legacy)",
            "Recovery, strain and sleep from WHOOP.",
            "password",
            ("sleep", "workouts", "hrv", "heartrate", "activity"),
            "legacy",
            "https://developer.whoop.com/docs/developing/oauth",
            "2026-11-01",
            "Legacy password login, reported broken since mid-2025 and superseded by WHOOP's "
            "official OAuth API (whoop_v2); prefer whoop_v2 for new connections.",
        ),
        ProviderInfo(
            14,
            "hammerhead",
            "Hammerhead",
            "Rides from Hammerhead Karoo bike computers.",
            "password",
            ("workouts", "workout_stream", "profile"),
            "live",
            "https://www.hammerhead.io/",
            "2026-11-01",
            "Unofficial API: a password grant; the user id is the JWT subject. Hammerhead may "
            "move its login to SRAM ID. No password is stored.",
        ),
        ProviderInfo(
            15,
            "dexcom",
            "Dexcom Share",
            "Continuous glucose readings shared through Dexcom Share.",
            "password",
            ("glucose",),
            "live",
            "https://www.dexcom.com/",
            "2026-11-01",
            "Needs Dexcom Share enabled with at least one follower; region picks US, "
            "outside-US or Japan servers.",
        ),
        ProviderInfo(
            16,
            "my_fitness_pal",
            "MyFitnessPal",
            "Meals, water and nutrition from MyFitnessPal.",
            "password",
            ("meal", "water"),
            "legacy",
            "https://www.myfitnesspal.com/",
            "2026-11-01",
            "MyFitnessPal's web login has been behind a hidden reCAPTCHA since 2022-08, so "
            "headless password login is blocked in production; use the partner OAuth API "
            "(my_fitness_pal_v2) where available. The sandbox still connects, for building.",
        ),
        ProviderInfo(
            17,
            "freestyle_libre",
            "FreeStyle Libre",
            "Glucose readings from FreeStyle Libre sensors.",
            "email",
            ("glucose",),
            "live",
            "https://pat.libreview.com/articles/link-your-account",
            "2026-11-01",
            "The user gives their email and region (us, eu, sg, de, au, br, nl, fr, ca, in) and "
            "links their LibreView account to this app's LibreView practice (My practices → "
            "Practice ID); the connection stays pending until the practice lists them.",
        ),
    )
}


def provider_get(slug: str) -> ProviderInfo | None:
    return CATALOGUE.get(slug)
