"""Webhook SSRF (issue 16, item 1): a production team's endpoint must not reach our own network,
whatever form the address takes, whatever the name resolves to the second time, and through
the console's pages as well as the API's services. The connection goes to the address that was
checked, and TLS still checks the certificate for the URL's host name."""

import datetime
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.urls import reverse

from teams.models import Team
from webhooks.models import WebhookAttempt, WebhookEndpoint
from webhooks.outbound import UrlRefused, target_post, target_resolve
from webhooks.services import (
    Event,
    WebhookUrlRejected,
    webhook_endpoint_upsert,
    webhook_secret_generate,
    webhook_send,
)

pytestmark = pytest.mark.django_db(transaction=True)


class Listener:
    """A TCP port on loopback that counts the connections made to it: any at all means the
    request reached our own network."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self):
        self.sock.close()


@pytest.fixture
def listener():
    r = Listener()
    yield r
    r.close()


@pytest.fixture
def production(db):
    return Team.objects.create(name="Prod Co", environment="production")


def _deliver(team: Team, url: str) -> WebhookAttempt:
    """Store the endpoint as a console save without the check did, and send it an event."""
    WebhookEndpoint.objects.create(team=team, url=url, secret=webhook_secret_generate())
    webhook_send(team=team, events=[Event("test.ping", {"ping": True})])
    return WebhookAttempt.objects.get()


# The finding's forms, and a few more ways to write loopback.
LOOPBACK_FORMS = [
    "https://127.0.0.1:{port}\\@8.8.8.8/y",
    "https://[::127.0.0.1]:{port}/y",
    "https://[::ffff:0:7f00:1]:{port}/y",
    "https://[64:ff9b::7f00:1]:{port}/y",
    "https://[2002:7f00:1::]:{port}/y",
    "https://[::ffff:127.0.0.1]:{port}/y",
    "https://2130706433:{port}/y",
    "https://0x7f.1:{port}/y",
    "https://127.1:{port}/y",
    "https://user@127.0.0.1:{port}/y",
    "https://127.0.0.1:{port}/y",
    "https://[::]:{port}/y",
    "https://0.0.0.0:{port}/y",
]


@pytest.mark.parametrize("form", LOOPBACK_FORMS)
def test_loopback_in_any_form_is_refused_and_never_reached(production, listener, form):
    url = form.format(port=listener.port)
    with pytest.raises(WebhookUrlRejected):
        webhook_endpoint_upsert(team=production, url=url)
    attempt = _deliver(production, url)
    assert listener.connections == 0
    assert attempt.status_code is None and "refused" in attempt.error


@pytest.mark.parametrize(
    "address",
    ["2002:c000:0204::1", "64:ff9b::a00:1", "::ffff:169.254.169.254", "64:ff9b:1::8.8.8.8"],
)
def test_ipv6_carrying_a_private_ipv4_is_refused(production, address):
    with pytest.raises(WebhookUrlRejected):
        webhook_endpoint_upsert(team=production, url=f"https://[{address}]/hook")


def test_ipv6_carrying_a_public_ipv4_is_accepted(production):
    """NAT64 (an IPv6-only network's DNS64 answer) to a public address stays usable."""
    webhook_endpoint_upsert(team=production, url="https://[64:ff9b::5db8:d822]/hook")


def test_dns_rebinding_cannot_move_the_connection(production, listener, monkeypatch, settings):
    """The name answers a public address when checked and loopback afterwards: the request
    goes to the public address that was checked, never to loopback."""
    settings.LINK_WEBHOOK_TIMEOUT_SECONDS = 1
    real, answers = socket.getaddrinfo, iter(["93.184.216.34"])

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.example":
            host = next(answers, "127.0.0.1")
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    attempt = _deliver(production, f"https://rebind.example:{listener.port}/hook")
    assert listener.connections == 0
    assert attempt.status_code is None


def test_console_change_page_runs_the_check(admin_client, production, listener):
    endpoint = webhook_endpoint_upsert(team=production, url="https://93.184.216.34/hook")
    response = admin_client.post(
        reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]),
        {"url": f"https://127.0.0.1:{listener.port}/hook", "enabled": "on"},
    )
    assert response.status_code == 200
    assert "refused" in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.url == "https://93.184.216.34/hook"


def test_sandbox_team_reaches_local_addresses_only_on_a_development_server(team, settings):
    webhook_endpoint_upsert(team=team, url="http://127.0.0.1:9/hook")
    settings.LINK_SANDBOX_UNRESTRICTED = False  # a production server's sandbox team
    with pytest.raises(WebhookUrlRejected):
        webhook_endpoint_upsert(team=team, url="http://127.0.0.1:9/other")


# -- the pinned connection keeps TLS honest ---------------------------------------------------


def _certificate(names: list[str], issuer=None):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0] if names else "CA")])
    issuer_name, issuer_key = issuer or (subject, key)
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
    )
    if names:
        san = x509.SubjectAlternativeName([x509.DNSName(n) for n in names])
        builder = builder.add_extension(san, critical=False)
    else:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
    cert = builder.sign(issuer_key, hashes.SHA256())
    return cert, key


def _pem(cert, key=None) -> bytes:
    text = cert.public_bytes(serialization.Encoding.PEM)
    if key is not None:
        text += key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    return text


@pytest.fixture
def tls_server(tmp_path):
    """An https server on loopback whose certificate names only `hooks.example`; records the
    SNI and Host it was sent."""
    ca_cert, ca_key = _certificate([])
    leaf, leaf_key = _certificate(["hooks.example"], issuer=(ca_cert.subject, ca_key))
    (tmp_path / "ca.pem").write_bytes(_pem(ca_cert))
    (tmp_path / "leaf.pem").write_bytes(_pem(leaf, leaf_key))
    seen = {"sni": [], "host": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("content-length", 0)))
            seen["host"].append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "leaf.pem")
    context.sni_callback = lambda sock, name, ctx: seen["sni"].append(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], str(tmp_path / "ca.pem"), seen
    server.shutdown()
    server.server_close()


def _resolve_to_loopback(monkeypatch, *names):
    real = socket.getaddrinfo
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, *a, **k: real("127.0.0.1" if host in names else host, *a, **k),
    )


def test_pinned_connection_keeps_sni_host_and_certificate_checks(tls_server, monkeypatch):
    from webhooks import outbound

    port, ca, seen = tls_server
    _resolve_to_loopback(monkeypatch, "hooks.example", "other.example")
    monkeypatch.setattr(outbound, "address_is_public", lambda address: True)
    target = target_resolve(f"https://hooks.example:{port}/h", schemes=("https",), public_only=True)
    assert target.address == "127.0.0.1"
    answer = target_post(target, headers={}, data=b"{}", timeout=5, verify=ca)
    assert answer.status_code == 204
    assert seen == {"sni": ["hooks.example"], "host": [f"hooks.example:{port}"]}

    wrong = target_resolve(f"https://other.example:{port}/h", schemes=("https",), public_only=True)
    with pytest.raises(Exception, match=r"certificate|hostname"):
        target_post(wrong, headers={}, data=b"{}", timeout=5, verify=ca)


def test_unparseable_urls_are_refused():
    for url in ("https://", "https:///nohost", "https://exa mple.com/", "https://a.example/\x00"):
        with pytest.raises(UrlRefused):
            target_resolve(url, schemes=("https",), public_only=True)
