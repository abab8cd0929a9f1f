"""What is kept per process under the member's stamp (ADR 0036), over HTTP: the daily
set's view and the members blocked with a discovery viewer.

On PostgreSQL + Redis the third read of a cached set is served from the process's kept
view (and a discovery page's blocks check from the kept blocks); each test then changes
what is shown in a way that leaves the cached entries in Redis as they were, so only the
stamp's renewal can make the next read see the change. On SQLite (embedded mode) nothing
is kept and the same rules hold.
"""

from __future__ import annotations

from typing import Any

from support.conversations_api import member
from support.live_api import Api


def _member(api: Api, gender: str, sought: str, location: dict[str, float]) -> tuple[str, Any]:
    someone = member(api, gender, sought, location)
    return someone.user_id, someone.headers


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
    men = [_member(api, "man", "woman", lima) for _ in range(3)]
    _, headers = _member(api, "woman", "man", lima)
    bo = men[0][0]
    assert bo in _kept(api, headers)

    blocked = api.http.post("/api/v1/blocks", json={"user_id": bo}, headers=headers)
    assert blocked.status_code in (200, 201), blocked.text
    assert bo not in _shown(api, headers)
    assert bo not in _kept(api, headers)


def test_a_block_by_the_other_member_hides_them_at_once(api: Api) -> None:
    quito = {"lat": -0.18, "lon": -78.47}
    men = [_member(api, "man", "woman", quito) for _ in range(3)]
    ada, headers = _member(api, "woman", "man", quito)
    bo, bo_headers = men[0]
    assert bo in _kept(api, headers)

    blocked = api.http.post("/api/v1/blocks", json={"user_id": ada}, headers=bo_headers)
    assert blocked.status_code in (200, 201), blocked.text
    assert bo not in _shown(api, headers)
    assert bo not in _kept(api, headers)


def _discovered(api: Api, headers: dict[str, str]) -> set[str]:
    response = api.http.get("/api/v1/discover", headers=headers)
    assert response.status_code == 200, response.text
    return {item["member"]["user_id"] for item in response.json()["items"]}


def test_a_block_either_way_hides_the_member_from_discovery_at_once(api: Api) -> None:
    nairobi = {"lat": -1.29, "lon": 36.82}
    men = [_member(api, "man", "woman", nairobi) for _ in range(3)]
    ada, headers = _member(api, "woman", "man", nairobi)
    (bo, bo_headers), (cy, _) = men[0], men[1]
    for _ in range(3):
        assert {bo, cy} <= _discovered(api, headers)

    blocked = api.http.post("/api/v1/blocks", json={"user_id": ada}, headers=bo_headers)
    assert blocked.status_code in (200, 201), blocked.text
    seen = _discovered(api, headers)
    assert bo not in seen
    assert cy in seen

    mine = api.http.post("/api/v1/blocks", json={"user_id": cy}, headers=headers)
    assert mine.status_code in (200, 201), mine.text
    assert not {bo, cy} & _discovered(api, headers)
