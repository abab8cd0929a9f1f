"""What is kept per process under the member's stamp (ADR 0036), over HTTP: the daily
set's view and the members blocked with a discovery viewer.

On PostgreSQL + Redis the third read of a cached set is served from the process's kept
view (and a discovery page's blocks check from the kept blocks); each test then changes
what is shown in a way that leaves the cached entries in Redis as they were, so only the
stamp's renewal can make the next read see the change. On SQLite (embedded mode) nothing
is kept and the same rules hold.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from saltbitter.entrypoints.settings import Settings
from support.conversations_api import man, member
from support.live_api import Api


def _shown(api: Api, headers: dict[str, str]) -> set[str]:
    response = api.http.get("/api/v1/matches/daily", headers=headers)
    assert response.status_code == 200, response.text
    return {item["member"]["user_id"] for item in response.json()["items"]}


def _kept(api: Api, headers: dict[str, str]) -> set[str]:
    """Built, then read from the cache and kept, then served from what was kept."""
    reads = [_shown(api, headers) for _ in range(3)]
    assert reads[0] == reads[1] == reads[2]
    return reads[2]


def test_a_block_by_the_viewer_hides_the_member_at_once(api: Api) -> None:
    lima = {"lat": -12.05, "lon": -77.04}  # away from the other tests' members
    men = [man(api, lima) for _ in range(3)]
    headers = member(api, location=lima).headers
    bo = men[0].user_id
    assert bo in _kept(api, headers)

    blocked = api.http.post("/api/v1/blocks", json={"user_id": bo}, headers=headers)
    assert blocked.status_code in (200, 201), blocked.text
    assert bo not in _shown(api, headers)
    assert bo not in _kept(api, headers)


def test_a_block_by_the_other_member_hides_them_at_once(api: Api) -> None:
    quito = {"lat": -0.18, "lon": -78.47}
    men = [man(api, quito) for _ in range(3)]
    ada = member(api, location=quito)
    headers, bo = ada.headers, men[0].user_id
    assert bo in _kept(api, headers)

    blocked = api.http.post("/api/v1/blocks", json={"user_id": ada.user_id}, headers=men[0].headers)
    assert blocked.status_code in (200, 201), blocked.text
    assert bo not in _shown(api, headers)
    assert bo not in _kept(api, headers)


def _discovered(api: Api, headers: dict[str, str]) -> set[str]:
    response = api.http.get("/api/v1/discover", headers=headers)
    assert response.status_code == 200, response.text
    return {item["member"]["user_id"] for item in response.json()["items"]}


def test_a_block_either_way_hides_the_member_from_discovery_at_once(api: Api) -> None:
    nairobi = {"lat": -1.29, "lon": 36.82}
    men = [man(api, nairobi) for _ in range(3)]
    ada = member(api, location=nairobi)
    headers, bo, cy = ada.headers, men[0].user_id, men[1].user_id
    for _ in range(3):
        assert {bo, cy} <= _discovered(api, headers)

    blocked = api.http.post("/api/v1/blocks", json={"user_id": ada.user_id}, headers=men[0].headers)
    assert blocked.status_code in (200, 201), blocked.text
    seen = _discovered(api, headers)
    assert bo not in seen
    assert cy in seen

    mine = api.http.post("/api/v1/blocks", json={"user_id": cy}, headers=headers)
    assert mine.status_code in (200, 201), mine.text
    assert not {bo, cy} & _discovered(api, headers)


@contextmanager
def _redis_commands_about(redis_url: str, needle: str) -> Iterator[list[str]]:
    """The commands clients sent Redis meanwhile that name ``needle`` (MONITOR; the
    commands a Lua script runs itself are left out: they cost no round trip)."""
    seen: list[str] = []
    done = f"monitor-done:{uuid.uuid4().hex}"
    watcher = redis.Redis.from_url(redis_url)
    with watcher.monitor() as monitor:  # type: ignore[no-untyped-call]  # redis-py's

        def collect() -> None:
            while True:
                entry = monitor.next_command()
                command = str(entry["command"])
                if done in command:
                    return
                if needle in command and entry.get("client_type") != "lua":
                    seen.append(command)

        thread = threading.Thread(target=collect, daemon=True)
        thread.start()
        try:
            yield seen
        finally:
            watcher.echo(done)
            thread.join(timeout=10)
    watcher.close()


def test_a_cached_daily_set_costs_one_redis_round_trip(
    api: Api, backend_settings: Settings, redis_url: str
) -> None:
    """ADR 0044: the edge reads the cached set's version token (ADR 0049) with the rate
    limit and the stamp, so a kept view sends Redis nothing more; the set itself is read
    (with its token, one MGET) only to build the view it keeps. Embedded (SQLite) mode
    uses no Redis."""
    accra = {"lat": 5.6, "lon": -0.19}
    for _ in range(2):
        man(api, accra)
    ada = member(api, location=accra)
    headers = ada.headers
    _shown(api, headers)  # built and cached
    with _redis_commands_about(redis_url, ada.user_id) as commands:
        _shown(api, headers)  # read with its token (one MGET) and kept
    if backend_settings.redis_url is not None:
        assert len(commands) == 2, commands
        assert "EVALSHA" in commands[0].upper()
        # The set and its token in one command (RedisCache.get_many, ADR 0048's script).
        assert f"matching:daily:{ada.user_id}" in commands[1]
        assert f"matching:daily-version:{ada.user_id}" in commands[1]
    with _redis_commands_about(redis_url, ada.user_id) as commands:
        _shown(api, headers)  # the kept view
    if backend_settings.redis_url is None:
        assert commands == []
    else:
        assert len(commands) == 1, commands
        assert "EVALSHA" in commands[0].upper()
        # ADR 0049: only the set's version token, not the set, for a kept view.
        assert f"matching:daily-version:{ada.user_id}" in commands[0]
        assert f"matching:daily:{ada.user_id}" not in commands[0]


def test_a_cached_discovery_page_costs_one_redis_round_trip(
    api: Api, backend_settings: Settings, redis_url: str
) -> None:
    """ADR 0044: the list and the rarity table come with the edge's one call too; ADR
    0048: a page kept under its markers costs one read of them after it (an ``MGET`` in
    a script, so that concurrent requests' reads share a pipeline). A page not kept yet
    reads them a second time, when ``Discover`` is built after the edge's miss."""
    dakar = {"lat": 14.69, "lon": -17.44}
    for _ in range(2):
        man(api, dakar)
    ada = member(api, location=dakar)
    _discovered(api, ada.headers)  # ranked and cached
    _discovered(api, ada.headers)  # read from the cached list: kept under its markers
    with _redis_commands_about(redis_url, ada.user_id) as commands:
        _discovered(api, ada.headers)
    if backend_settings.redis_url is None:
        assert commands == []
    else:
        assert len(commands) == 2, commands
        assert "EVALSHA" in commands[0].upper()
        assert f"matching:discover:{ada.user_id}" in commands[0]
        assert "EVALSHA" in commands[1].upper()
        assert f"matching:member:{ada.user_id}" in commands[1]
