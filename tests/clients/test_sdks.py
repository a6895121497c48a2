"""The clients of the original Link docs, unedited, make the docs' calls against Link running as
in production (gunicorn, production settings, TLS, since their token clients only speak https):
PyPI `vital` 0.3.7, 1.1.5 and 1.1.33, and npm `@tryvital/vital-node` 1.3.6."""

import datetime
import ipaddress
import json
import os
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from teams.models import EndUser
from teams.services import api_key_create
from tests.clients.installs import HERE, npm_modules, python_sdk
from tests.processes import database_url, free_port, gunicorns, production_env
from tests.sandbox import Browser, consent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="session")
def tls(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key; the clients trust it through
    REQUESTS_CA_BUNDLE and NODE_EXTRA_CA_CERTS."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert, key_file = folder / "cert.pem", folder / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, key_file


@pytest.fixture(scope="session")
def link_url(django_db_setup, tls):
    """Link on gunicorn over https, on the test database, with the sandbox vendors."""
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    env = production_env(
        DATABASE_URL=database_url(),
        DATABASE_CONN_MAX_AGE="0",
        LINK_PUBLIC_URL=url,
        LINK_SANDBOX_ENABLED="true",
        REQUESTS_CA_BUNDLE=str(tls[0]),  # the sandbox vendors are served by this same server
        WEB_CONCURRENCY="2",
    )
    with gunicorns(env, [port], tls=tls) as [served]:
        yield served


CLIENTS = ["vital 0.3.7", "vital 1.1.5", "vital 1.1.33", "vital-node 1.3.6"]


@pytest.fixture(params=CLIENTS)
def sdk(request, link_url, tls, team):
    """Runs a step of the docs' calls (vital_python.py, vital_node.js) with one client, as the
    team; returns what it printed."""
    package, version = request.param.split()
    if package == "vital":
        command = [python_sdk(version), HERE / "vital_python.py"]
        trust = {"REQUESTS_CA_BUNDLE": str(tls[0])}
    else:
        command = ["node", HERE / "vital_node.js"]
        trust = {"NODE_EXTRA_CA_CERTS": str(tls[0]), "NODE_PATH": str(npm_modules("node"))}
    key, _ = api_key_create(team=team)
    env = {
        "PATH": os.environ["PATH"],
        "LINK_URL": link_url,
        "VITAL_CLIENT_ID": str(team.pk),
        "VITAL_CLIENT_SECRET": key,
        **trust,
    }

    def run(*args: str) -> dict:
        done = subprocess.run(
            [*command, *args], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


def test_the_docs_calls(sdk, link_url, tls, monkeypatch):
    answers = sdk("link", "docs-reader")

    user = answers["user"]
    assert user["client_user_id"] == "docs-reader"
    assert answers["resolved"]["user_id"] == user["user_id"]
    assert answers["token"]["link_web_url"].startswith(f"{link_url}/?token=")
    assert answers["wrong_password"] == {"status": 400, "error_type": "INVALID_CREDENTIALS"}
    password = answers["password"]
    assert (password["provider"], password["connected"], password["state"]) == (
        "zwift",
        True,
        "success",
    )
    oauth = answers["oauth"]
    assert oauth["slug"] == "google_health" and oauth["oauth_url"]

    # The end user's browser: the vendor's consent page, then back to Link.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls[0]))
    browser = Browser()
    returned = browser.get(consent(oauth["oauth_url"], browser=browser), timeout=30)
    assert returned.status_code == 200 and "is connected" in returned.text

    managed = sdk("manage", user["user_id"])
    assert sorted(p["slug"] for p in managed["providers"]["providers"]) == [
        "google_health",
        "zwift",
    ]
    assert managed["user"]["user_id"] == user["user_id"]
    assert [u["client_user_id"] for u in managed["users"]["users"]] == ["docs-reader"]
    email = managed["email"]
    assert (email["provider"], email["state"]) == ("freestyle_libre", "pending")
    assert managed["deregistered"] == managed["deleted"] == {"success": True}
    if managed["refreshed"] is not None:  # vital 0.3.7 and 1.1.5 have no refresh
        assert managed["refreshed"]["in_progress_sources"] == ["google_health"]
    assert not EndUser.objects.filter(pk=user["user_id"]).exists()
