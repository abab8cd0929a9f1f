"""The assessment and the consent ledger over HTTP, against SQLite and PostgreSQL + Redis."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from support.conversations_api import signed_in
from support.live_api import Api

PROBLEM = "application/problem+json"
REVERSED = {9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36}
# Every anxiety item keyed 6, every avoidance item keyed 2: an anxious pattern.
ANSWERS = {str(n): (6 if (n <= 18) != (n in REVERSED) else 2) for n in range(1, 37)}


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = dict(response.json())
    assert body["code"] == code
    assert "Traceback" not in response.text
    return body


def _consent(api: Api, auth: dict[str, str], purpose: str, granted: bool) -> Any:
    return api.http.put(f"/api/v1/me/consents/{purpose}", json={"granted": granted}, headers=auth)


def test_the_instrument_is_for_members_and_shows_items_and_scale(api: Api) -> None:
    assert api.http.get("/api/v1/assessments/instruments/ecr-r").status_code == 401
    auth = signed_in(api).headers
    response = api.http.get("/api/v1/assessments/instruments/ecr-r", headers=auth)
    assert response.status_code == 200
    body = response.json()
    assert body["key"] == "ecr-r"
    assert body["version"]
    assert body["instructions"]
    assert [item["number"] for item in body["items"]] == list(range(1, 37))
    assert set(body["items"][0]) == {"number", "text"}  # no keying, no subscale
    assert body["scale"] == {
        "minimum": 1,
        "maximum": 7,
        "labels": [
            {"value": 1, "label": "Strongly disagree"},
            {"value": 4, "label": "Neutral/mixed"},
            {"value": 7, "label": "Strongly agree"},
        ],
    }
    missing = api.http.get("/api/v1/assessments/instruments/mbti", headers=auth)
    _problem(missing, 404, "instrument_not_found")


def test_consents_list_every_purpose_and_record_changes(api: Api) -> None:
    auth = signed_in(api).headers
    listed = api.http.get("/api/v1/me/consents", headers=auth)
    assert listed.status_code == 200
    state = {item["purpose"]: item for item in listed.json()["items"]}
    assert list(state) == ["terms", "privacy", "sensitive_data", "ai_features", "marketing"]
    assert state["terms"]["granted"] is True
    assert state["terms"]["policy_version"]
    assert state["sensitive_data"] == {
        "purpose": "sensitive_data",
        "granted": False,
        "policy_version": None,
        "recorded_at": None,
    }

    granted = _consent(api, auth, "sensitive_data", True)
    assert granted.status_code == 200, granted.text
    assert granted.json()["granted"] is True
    assert granted.json()["recorded_at"]
    again = api.http.get("/api/v1/me/consents", headers=auth).json()["items"]
    assert {i["purpose"]: i["granted"] for i in again}["sensitive_data"] is True

    _problem(_consent(api, auth, "terms", False), 422, "consent_required_for_account")
    _problem(_consent(api, auth, "everything", True), 404, "consent_purpose_not_found")
    bad = api.http.put("/api/v1/me/consents/marketing", json={"granted": "sure"}, headers=auth)
    assert [e["field"] for e in _problem(bad, 422, "validation_failed")["errors"]] == ["granted"]
    assert _consent(api, {}, "marketing", True).status_code == 401


def test_the_assessment_needs_the_sensitive_data_consent(api: Api) -> None:
    auth = signed_in(api).headers
    body = {"instrument": "ecr-r", "answers": ANSWERS}
    refused = api.http.post("/api/v1/assessments", json=body, headers=auth)
    _problem(refused, 403, "consent_required")
    assert _consent(api, auth, "sensitive_data", True).status_code == 200
    assert _consent(api, auth, "sensitive_data", False).status_code == 200
    _problem(api.http.post("/api/v1/assessments", json=body, headers=auth), 403, "consent_required")


def test_taking_reading_and_retaking_the_assessment(api: Api) -> None:
    auth = signed_in(api).headers
    assert _consent(api, auth, "sensitive_data", True).status_code == 200
    taken = api.http.post(
        "/api/v1/assessments", json={"instrument": "ecr-r", "answers": ANSWERS}, headers=auth
    )
    assert taken.status_code == 201, taken.text
    result = taken.json()
    assert result["anxiety"] == 6.0
    assert result["avoidance"] == 2.0
    assert result["style"] == "anxious"
    assert isinstance(result["near_boundary"], bool)
    assert 50 < result["percentiles"]["anxiety"] < 100
    assert 0 < result["percentiles"]["avoidance"] < 50
    assert result["insights"]["summary"]
    assert result["insights"]["growth_suggestions"]
    assert result["next_retake_at"] > result["taken_at"]

    again = api.http.post(
        "/api/v1/assessments", json={"instrument": "ecr-r", "answers": ANSWERS}, headers=auth
    )
    problem = _problem(again, 409, "retake_too_soon")
    assert result["next_retake_at"][:10] in problem["detail"]

    mine = api.http.get("/api/v1/assessments/me", headers=auth)
    assert mine.status_code == 200
    body = mine.json()
    assert body["latest"]["id"] == result["id"]
    assert body["latest"]["percentiles"] == result["percentiles"]
    assert body["history"] == [
        {
            "id": result["id"],
            "instrument": "ecr-r",
            "taken_at": result["taken_at"],
            "anxiety": 6.0,
            "avoidance": 2.0,
            "style": "anxious",
        }
    ]
    assert body["next_retake_at"] == result["next_retake_at"]


def test_results_are_never_shown_to_another_member(api: Api) -> None:
    owner = signed_in(api).headers
    assert _consent(api, owner, "sensitive_data", True).status_code == 200
    body = {"instrument": "ecr-r", "answers": ANSWERS}
    assert api.http.post("/api/v1/assessments", json=body, headers=owner).status_code == 201
    stranger = signed_in(api).headers
    theirs = api.http.get("/api/v1/assessments/me", headers=stranger).json()
    assert theirs == {"latest": None, "history": [], "next_retake_at": None}


def test_bad_answers_are_422_with_one_path_per_item(api: Api) -> None:
    auth = signed_in(api).headers
    assert _consent(api, auth, "sensitive_data", True).status_code == 200
    answers: dict[str, Any] = dict(ANSWERS)
    answers.update({"12": 9, "13": "often", "99": 4})
    del answers["1"], answers["2"], answers["3"]
    first = api.http.post(
        "/api/v1/assessments", json={"instrument": "ecr-r", "answers": answers}, headers=auth
    )
    codes = {e["field"]: e["code"] for e in _problem(first, 422, "validation_failed")["errors"]}
    assert codes == {
        "answers.1": "required",
        "answers.2": "required",
        "answers.3": "required",
        "answers.12": "out_of_range",
        "answers.13": "out_of_range",
        "answers.99": "unknown_item",
    }
    no_answers = api.http.post("/api/v1/assessments", json={"instrument": "ecr-r"}, headers=auth)
    assert [e["field"] for e in _problem(no_answers, 422, "validation_failed")["errors"]] == [
        "answers"
    ]
    wrong = api.http.post(
        "/api/v1/assessments", json={"instrument": "quiz", "answers": ANSWERS}, headers=auth
    )
    assert _problem(wrong, 422, "validation_failed")["errors"][0]["field"] == "instrument"
    nothing_kept = api.http.get("/api/v1/assessments/me", headers=auth).json()
    assert nothing_kept["latest"] is None


def test_two_simultaneous_submissions_give_one_result_and_one_409(api: Api) -> None:
    auth = signed_in(api).headers
    assert _consent(api, auth, "sensitive_data", True).status_code == 200
    body = {"instrument": "ecr-r", "answers": ANSWERS}
    start = threading.Barrier(2)

    def submit() -> int:
        with httpx.Client(base_url=str(api.http.base_url), timeout=30) as client:
            start.wait()
            return client.post("/api/v1/assessments", json=body, headers=auth).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(lambda _: submit(), range(2)))
    assert statuses == [201, 409]
    mine = api.http.get("/api/v1/assessments/me", headers=auth).json()
    assert len(mine["history"]) == 1
