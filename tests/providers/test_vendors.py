"""Every vendor folder (providers/vendors/<slug>/) is complete and consistent: an adapter with its
catalogue facts, an emulator that mirrors every host the adapter calls, and a logo served at a
stable URL. Adding a vendor means adding a folder that passes these."""

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import Resolver404, resolve

from health.resources import RESOURCES
from providers.apps import check_configured_apps
from providers.base import Status
from providers.http import sandbox_path, sandbox_url
from providers.logos import VENDORS_DIR, logo_file, logo_path
from providers.oauth2 import OAuth2Adapter
from providers.registry import ADAPTERS, DATA_READERS
from providers.sandbox.urls import EMULATORS, urlpatterns

SLUGS = sorted(ADAPTERS)
FOLDER = {"__init__.py", "adapter.py", "emulator.py", "logo.svg"}
AUTH_TYPES = {"oauth", "password", "email"}
HTTPS = re.compile(r"https://[a-z0-9.-]+(:\d+)?(/\S*)?")


def test_every_folder_is_a_vendor_and_every_vendor_a_folder():
    folders = {p.name for p in VENDORS_DIR.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == set(ADAPTERS) == set(EMULATORS)
    assert len(ADAPTERS) >= 17


@pytest.mark.parametrize("slug", SLUGS)
def test_the_folder_holds_exactly_the_vendor(slug):
    files = {p.name for p in (VENDORS_DIR / slug).iterdir() if p.name != "__pycache__"}
    assert files - {"data.py"} == FOLDER
    assert ("data.py" in files) == (slug in DATA_READERS)


@pytest.mark.parametrize("slug", sorted(DATA_READERS))
def test_a_reader_pulls_resources_its_vendor_offers(slug):
    pulled = set(DATA_READERS[slug].resources)
    assert pulled and pulled <= set(RESOURCES)
    assert pulled <= set(ADAPTERS[slug].supported_resources)


@pytest.mark.parametrize("slug", SLUGS)
def test_the_adapter_states_its_catalogue_facts(slug):
    vendor = ADAPTERS[slug]
    assert vendor.slug == slug
    assert vendor.name and vendor.description.endswith(".")
    assert vendor.auth_type in AUTH_TYPES
    assert isinstance(vendor.status, Status)
    assert HTTPS.fullmatch(vendor.docs_url)
    assert date.fromisoformat(vendor.checked_on) <= date.today()
    assert vendor.sources and all(HTTPS.fullmatch(source) for source in vendor.sources)
    assert isinstance(vendor.note, str)
    assert vendor.supported_resources and all(
        re.fullmatch(r"[a-z_]+", r) for r in vendor.supported_resources
    )
    assert isinstance(vendor.requires_app, bool)
    if issubclass(vendor, OAuth2Adapter):  # an OAuth client is an app
        assert vendor.requires_app


def test_vital_ids_are_unique_and_the_order_follows_them():
    ids = [cls.vital_id for cls in ADAPTERS.values()]
    assert ids == sorted(set(ids))


@pytest.mark.parametrize("slug", SLUGS)
def test_hosts_and_regions_fit_together(slug):
    vendor = ADAPTERS[slug]
    assert vendor.hosts and all(
        HTTPS.fullmatch(url) and not url.endswith("/") for url in vendor.hosts.values()
    )
    assert set(vendor.regions.values()) <= set(vendor.hosts)
    assert vendor.default_region is None or vendor.default_region in vendor.regions


@pytest.mark.parametrize("slug", SLUGS)
def test_the_emulator_mirrors_every_host_of_the_adapter(slug):
    emulator = EMULATORS[slug]
    assert emulator.vendor is ADAPTERS[slug]
    assert set(emulator.hosts()) == set(ADAPTERS[slug].hosts.values())


@pytest.mark.parametrize("slug", [s for s in SLUGS if issubclass(ADAPTERS[s], OAuth2Adapter)])
def test_oauth_endpoints_are_served_at_their_host_name(slug):
    vendor = ADAPTERS[slug]
    adapter = vendor(base_urls=vendor.hosts)
    for which in ("authorize", "token"):
        for region in vendor.regions or [None]:
            host, path = adapter.endpoint_for(which, region)
            resolve("/" + sandbox_path(vendor.hosts[host] + path))  # Resolver404 if not


def test_no_two_emulators_answer_the_same_url():
    routes = [
        f"{outer.pattern}{inner.pattern}" for outer in urlpatterns for inner in outer.url_patterns
    ]
    assert len(routes) == len(set(routes))


def test_the_sandbox_rewrites_the_host_alone(settings):
    settings.LINK_SANDBOX_BASE_URL = "http://127.0.0.1:8000"
    url = "https://api.ouraring.com/oauth/token"
    assert sandbox_url(url) == "http://127.0.0.1:8000/sandbox/api.ouraring.com/oauth/token"
    assert resolve("/sandbox/api.ouraring.com/oauth/token")
    with pytest.raises(Resolver404):
        resolve("/sandbox/api.ouraring.com/no/such/path")


@pytest.mark.parametrize("slug", SLUGS)
def test_the_logo_is_a_static_file_at_a_stable_url(slug, client):
    assert logo_file(slug).read_text().lstrip().startswith(("<svg", "<?xml"))
    assert finders.find(logo_path(slug)) == str(logo_file(slug))
    response = client.get(f"/static/providers/{slug}.svg")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == logo_file(slug).read_bytes()


def test_logo_finder_lists_every_logo_and_finds_nothing_else():
    listed = dict(finders.get_finder("providers.logos.VendorLogoFinder").list([]))
    assert set(listed) == {f"{slug}.svg" for slug in SLUGS}
    storage = listed[f"{SLUGS[0]}.svg"]
    assert Path(storage.path(f"{SLUGS[0]}.svg")) == logo_file(SLUGS[0])
    for path in ("providers/../logo.svg", "providers/nope.svg", "providers/oura/logo.svg"):
        assert finders.find(path) is None


def test_env_example_names_the_app_of_every_vendor_that_needs_one():
    env_example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    named = set(re.findall(r"^LINK_([A-Z0-9_]+)_CLIENT_ID=", env_example, re.MULTILINE))
    assert named == {slug.upper() for slug, cls in ADAPTERS.items() if cls.requires_app}


def test_an_app_setting_that_names_no_vendor_is_flagged(settings):
    settings.LINK_OAUTH_APPS = {"oura": {}, "freestyle_libre": {}, "ouraa": {}, "zwift": {}}
    flagged = [warning.msg for warning in check_configured_apps()]
    assert flagged == [
        "LINK_OURAA_CLIENT_ID is set, but no vendor 'ouraa' needs an app.",
        "LINK_ZWIFT_CLIENT_ID is set, but no vendor 'zwift' needs an app.",
    ]


def test_the_readmes_provider_table_says_what_the_catalogue_says():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    rows = {
        m["slug"]: (m["status"], m["checked_on"])
        for m in re.finditer(
            r"^\| [^|]+\(`(?P<slug>\w+)`\) \| [^|]+ \| (?P<status>\w+)[^|]* "
            r"\| (?P<checked_on>[\d-]+) \|",
            readme,
            re.MULTILINE,
        )
    }
    assert rows == {s: (str(cls.status), cls.checked_on) for s, cls in ADAPTERS.items()}


def test_the_readme_provider_table_says_what_each_vendor_is():
    """Every vendor has its row, with its status and the data Link pulls from it."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    rows = re.findall(r"^\| [^|]*\(`([a-z0-9_]+)`\) \|([^\n]*)$", readme, re.MULTILINE)
    table = {slug: [cell.strip() for cell in rest.split("|")[:-1]] for slug, rest in rows}
    assert set(table) == set(ADAPTERS)
    for slug, (_, status, _, _, data, _) in table.items():
        assert status.split()[0] == ADAPTERS[slug].status, slug
        reader = DATA_READERS.get(slug)
        if reader is None:
            assert data == "\N{EN DASH}", slug
            continue
        how = "pushed" if reader.pushes else "scheduled"
        assert data == f"{', '.join(reader.resources)}; {how}", slug


def test_the_registry_imports_without_configuring_django():
    """bench/ imports the sandbox before it sets Django up: finding the vendors' classes must
    not touch settings (a data.py that imports them made it once)."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", "import providers.sandbox.base, providers.registry"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
