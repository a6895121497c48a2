"""Outbound HTTP to URLs our customers choose (webhook endpoints), safe against SSRF.

The URL is parsed once, by the parser `requests` itself uses; its host is resolved once; every
address it resolves to is checked; and the connection goes to the address that was checked, so
an answer that changes in between (DNS rebinding) cannot move it. TLS still sends the URL's
host name (SNI and `Host`) and verifies the certificate against it. No proxy from the
environment is used: a proxy would resolve the name again, out of our sight."""

import ipaddress
import socket
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import parse_url

# IPv6 ranges whose last 32 bits are an IPv4 address that the packet may end up at:
# IPv4-compatible (RFC 4291), IPv4-translated (RFC 6145) and NAT64's well-known prefix (RFC 6052).
_IPV4_IN_LAST_32_BITS = [
    ipaddress.ip_network(net) for net in ("::/96", "::ffff:0:0:0/96", "64:ff9b::/96")
]
# NAT64 for local use (RFC 8215): translates to whatever the operator's network chooses.
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


class UrlRefused(ValueError):
    """A URL we will not send to; the message says why, for the person who entered it."""


def address_is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether `address` is globally reachable. An IPv6 address that carries an IPv4 one
    (mapped, compatible, translated, NAT64, 6to4) is judged by the IPv4 address inside."""
    if address.version == 6:
        if address in _LOCAL_NAT64:
            return False
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and any(address in net for net in _IPV4_IN_LAST_32_BITS):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return address_is_public(embedded)
    return address.is_global and not address.is_multicast


@dataclass(frozen=True)
class Target:
    """A checked URL: what is sent, the host it names, and the address to connect to (None:
    whatever the host resolves to, for a URL that may go anywhere)."""

    url: str
    host: str
    netloc: str
    address: str | None


def target_resolve(url: str, *, schemes: tuple[str, ...], public_only: bool) -> Target:
    """Parse and resolve `url` once; raises UrlRefused unless its scheme is one of `schemes`
    and, with `public_only`, every address its host resolves to is public."""
    if any(c == "\\" or c.isspace() or not c.isprintable() for c in url):
        raise UrlRefused("A URL may not contain backslashes, spaces or control characters.")
    try:
        prepared = requests.Request("POST", url).prepare()
        parts = parse_url(prepared.url)
    except (requests.RequestException, ValueError):
        raise UrlRefused("This is not a valid absolute URL.") from None
    if parts.scheme not in schemes or not parts.host:
        raise UrlRefused(f"The URL must be an absolute URL starting with {' or '.join(schemes)}.")
    if parts.auth:
        raise UrlRefused("The URL may not contain a user name or password.")
    host = parts.host.strip("[]")
    if not public_only:  # nothing to check, so nothing to pin
        return Target(url=prepared.url, host=host, netloc=parts.netloc, address=None)
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    except (OSError, UnicodeError, ValueError):
        raise UrlRefused(f"{host} does not resolve to an address.") from None
    if not all(address_is_public(a) for a in addresses):
        raise UrlRefused(
            f"{host} resolves to a private, loopback, link-local or otherwise non-public "
            "address; those are refused."
        )
    return Target(url=prepared.url, host=host, netloc=parts.netloc, address=str(addresses[0]))


class _PinnedAdapter(HTTPAdapter):
    """Connects to the target's checked address whatever the URL's host resolves to now."""

    def __init__(self, target: Target):
        self.target = target
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        host_params["host"] = self.target.address
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self.target.host
            pool_kwargs["assert_hostname"] = self.target.host
        return host_params, pool_kwargs


def target_post(target: Target, *, headers: dict, **kwargs) -> requests.Response:
    """POST to a checked target, never following redirects (a redirect would be a new,
    unchecked URL)."""
    with requests.Session() as session:
        session.trust_env = False
        if target.address is not None:
            adapter = _PinnedAdapter(target)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            headers = {**headers, "Host": target.netloc}
        return session.post(target.url, headers=headers, allow_redirects=False, **kwargs)
