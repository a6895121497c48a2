import pytest

pytestmark = pytest.mark.django_db

EXPECTED = {
    "oauth": {
        "fitbit",
        "garmin",
        "oura",
        "strava",
        "wahoo",
        "ihealth",
        "withings",
        "google_health",
        "whoop_v2",
        "dexcom_v3",
        "polar",
        "hammerhead",
    },
    "password": {
        "renpho",
        "zwift",
        "peloton",
        "eight_sleep",
        "beurer_api",
        "whoop",
        "dexcom",
        "my_fitness_pal",
    },
    "email": {"freestyle_libre"},
}


def test_lists_every_provider_with_its_auth_type(api, client):
    response = api.get("/v2/providers/")
    assert response.status_code == 200
    by_type: dict[str, set] = {}
    for p in response.json():
        by_type.setdefault(p["auth_type"], set()).add(p["slug"])
        assert p["name"] and p["description"] and p["supported_resources"]
        assert p["logo"].endswith(f"/providers/{p['slug']}.svg")
        assert p["status"] in {"live", "beta", "legacy", "retired", "blocked"} and p["checked_on"]
    assert by_type == EXPECTED
    assert client.get("/v2/providers").status_code == 401


def test_logos_are_served_locally(api, client):
    logo = api.get("/v2/providers").json()[0]["logo"]
    path = logo.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)
