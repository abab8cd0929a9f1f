"""What is kept per process under the member's stamp (ADR 0036), over HTTP: the daily
set's view and the members blocked with a discovery viewer.

On PostgreSQL + Redis the third read of a cached set is served from the process's kept
view (and a discovery page's blocks check from the kept blocks); each test then changes
what is shown in a way that leaves the cached entries in Redis as they were, so only the
stamp's renewal can make the next read see the change. On SQLite (embedded mode) nothing
is kept and the same rules hold.
"""

from __future__ import annotations

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
