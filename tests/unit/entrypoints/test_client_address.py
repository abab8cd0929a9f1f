"""Which address the rate limits and the audit see: X-Forwarded-For only from proxies we trust.

Behind a cloud load balancer the proxy's own address changes as it scales, so a trusted
proxy may be a network (the load balancer's subnets), not just one address.
"""

from __future__ import annotations

from typing import Any

import pytest

from saltbitter.entrypoints.http.middleware import client_ip
from saltbitter.entrypoints.settings import Settings


def _scope(peer: str, forwarded: str | None = None) -> dict[str, Any]:
    headers = [] if forwarded is None else [(b"x-forwarded-for", forwarded.encode())]
    return {"type": "http", "client": (peer, 50000), "headers": headers}


def test_an_untrusted_peer_is_the_client_whatever_it_forwards() -> None:
    scope = _scope("203.0.113.9", forwarded="198.51.100.1")
    assert client_ip(scope, ("127.0.0.1",)) == "203.0.113.9"


def test_a_trusted_proxy_address_passes_on_the_forwarded_client() -> None:
    scope = _scope("127.0.0.1", forwarded="198.51.100.1")
    assert client_ip(scope, ("127.0.0.1",)) == "198.51.100.1"


@pytest.mark.parametrize("load_balancer", ["10.40.0.17", "10.40.3.200", "10.40.255.1"])
def test_any_address_of_a_trusted_network_is_a_proxy(load_balancer: str) -> None:
    scope = _scope(load_balancer, forwarded="198.51.100.1")
    assert client_ip(scope, ("10.40.0.0/16",)) == "198.51.100.1"


def test_the_nearest_untrusted_hop_is_the_client_and_spoofed_hops_are_ignored() -> None:
    # The client put a fake address first; the load balancer appended the real one.
    scope = _scope("10.40.1.5", forwarded="192.0.2.66, 198.51.100.1, 10.40.2.9")
    assert client_ip(scope, ("10.40.0.0/16",)) == "198.51.100.1"


def test_an_address_outside_the_trusted_network_is_not_a_proxy() -> None:
    scope = _scope("10.41.0.5", forwarded="198.51.100.1")
    assert client_ip(scope, ("10.40.0.0/16",)) == "10.41.0.5"


def test_a_forwarded_value_that_is_not_an_address_is_the_client_not_an_error() -> None:
    scope = _scope("127.0.0.1", forwarded="unknown")
    assert client_ip(scope, ("127.0.0.1",)) == "unknown"


def test_trusted_proxies_accept_addresses_and_networks() -> None:
    settings = Settings.from_environ({"SALTBITTER_TRUSTED_PROXIES": "127.0.0.1, 10.40.0.0/16, ::1"})
    assert settings.trusted_proxies == ("127.0.0.1", "10.40.0.0/16", "::1")


def test_a_trusted_proxy_that_is_no_address_is_refused_at_start() -> None:
    with pytest.raises(SystemExit, match="TRUSTED_PROXIES"):
        Settings.from_environ({"SALTBITTER_TRUSTED_PROXIES": "load-balancer"})
