"""The 21-portrait values questionnaire over HTTP, against SQLite and PostgreSQL + Redis:
its scores become the profile's ten value ratings, like direct ratings."""

from __future__ import annotations

from typing import Any

from support.conversations_api import signed_in
from support.live_api import Api

PROBLEM = "application/problem+json"
VALUE_NAMES = (
    "self_direction", "stimulation", "hedonism", "achievement", "power", "security",
    "conformity", "tradition", "benevolence", "universalism",
)  # fmt: skip
PROFILE = {
    "gender": "woman",
    "genders_sought": ["man"],
    "age_min": 27,
    "age_max": 38,
    "interests": ["hiking", "jazz", "baking"],
    "values": dict.fromkeys(VALUE_NAMES, 4),
    "location": {"lat": 52.52, "lon": 13.405},
    "max_distance_km": 25,
}

# ESS-coded 1 (very much like me) .. 6 (not at all): benevolence (12, 18) and
# universalism (3, 8, 19) very much like me, power (2, 17) not at all, the rest "a
# little like me".
ANSWERS = {str(n): 4 for n in range(1, 22)} | {
    "12": 1, "18": 1, "3": 1, "8": 1, "19": 1, "2": 6, "17": 6,
}  # fmt: skip


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = dict(response.json())
    assert body["code"] == code
    return body


def test_the_questionnaire_is_for_members_and_shows_scale_and_items(api: Api) -> None:
    assert api.http.get("/api/v1/assessments/instruments/values").status_code == 401
    headers = signed_in(api).headers
    response = api.http.get("/api/v1/assessments/instruments/values", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["key"] == "values"
    assert body["question"] == "How much like you is this person?"
    assert [item["number"] for item in body["items"]] == list(range(1, 22))
    assert body["items"][0] == {"number": 1, "code": "ipcrtiv"}  # no value mapping
    assert body["scale"]["minimum"] == 1
    assert body["scale"]["maximum"] == 6
    assert body["scale"]["labels"][0] == {"value": 1, "label": "Very much like me"}
    # The attachment instrument is still served next to it.
    ecr = api.http.get("/api/v1/assessments/instruments/ecr-r", headers=headers)
    assert ecr.json()["key"] == "ecr-r"


def test_answers_replace_the_profiles_ten_ratings(api: Api) -> None:
    headers = signed_in(api).headers
    put = api.http.put("/api/v1/me/profile", json=PROFILE, headers=headers)
    assert put.status_code == 200, put.text

    posted = api.http.post(
        "/api/v1/me/values/questionnaire", json={"answers": ANSWERS}, headers=headers
    )
    assert posted.status_code == 200, posted.text
    values = posted.json()["values"]
    assert posted.json()["source"] == "values"
    assert values["benevolence"] == 6  # 7 - 1
    assert values["universalism"] == 6
    assert values["power"] == 1  # 7 - 6
    assert values["hedonism"] == 3  # 7 - 4
    profile = api.http.get("/api/v1/me/profile", headers=headers).json()
    assert profile["values"] == values


def test_every_bad_answer_is_reported_at_once_and_nothing_changes(api: Api) -> None:
    headers = signed_in(api).headers
    api.http.put("/api/v1/me/profile", json=PROFILE, headers=headers)
    before = api.http.get("/api/v1/me/profile", headers=headers).json()["values"]
    bad = {str(n): 3 for n in range(1, 20)} | {"1": 7, "2": True, "22": 1, "x": 2}
    response = api.http.post(
        "/api/v1/me/values/questionnaire", json={"answers": bad}, headers=headers
    )
    body = _problem(response, 422, "validation_failed")
    by_field = {error["field"]: error["code"] for error in body["errors"]}
    assert by_field == {
        "answers.1": "out_of_range",
        "answers.2": "out_of_range",
        "answers.22": "unknown_item",
        "answers.x": "unknown_item",
        "answers.20": "required",
        "answers.21": "required",
    }
    assert api.http.get("/api/v1/me/profile", headers=headers).json()["values"] == before
    not_an_object = api.http.post(
        "/api/v1/me/values/questionnaire", json={"answers": [1, 2]}, headers=headers
    )
    assert not_an_object.status_code in {400, 422}


def test_without_a_profile_the_answers_have_nowhere_to_go(api: Api) -> None:
    headers = signed_in(api).headers
    response = api.http.post(
        "/api/v1/me/values/questionnaire", json={"answers": ANSWERS}, headers=headers
    )
    _problem(response, 404, "profile_not_found")
    assert (
        api.http.post("/api/v1/me/values/questionnaire", json={"answers": ANSWERS}).status_code
        == 401
    )
