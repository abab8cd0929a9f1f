"""Profiles over HTTP, against SQLite and against PostgreSQL + Redis."""

from __future__ import annotations

import uuid
from typing import Any

from support.conversations_api import signed_in
from support.live_api import Api

PROBLEM = "application/problem+json"
VALUES = {
    "self_direction": 6,
    "stimulation": 5,
    "hedonism": 4,
    "achievement": 3,
    "power": 1,
    "security": 5,
    "conformity": 2,
    "tradition": 2,
    "benevolence": 7,
    "universalism": 6,
}


def profile_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "display_name": "Robin",
        "gender": "woman",
        "genders_sought": ["man", "nonbinary"],
        "age_min": 27,
        "age_max": 38,
        "bio": "Weekend hiker, weekday baker.",
        "interests": ["Hiking", "jazz", "Baking", "hiking"],
        "relationship_goal": "long_term",
        "values": VALUES,
        "location": {"lat": 52.52, "lon": 13.405},
        "max_distance_km": 25,
        "visibility": "visible",
    }
    body.update(overrides)
    return body


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = dict(response.json())
    assert body["code"] == code, body
    assert "Traceback" not in response.text
    return body


def field_codes(response: Any) -> dict[str, str]:
    body = problem(response, 422, "validation_failed")
    return {error["field"]: error["code"] for error in body["errors"]}


def test_put_then_get_my_profile_with_completeness(api: Api) -> None:
    me = signed_in(api)
    empty = api.http.get("/api/v1/me/profile", headers=me.headers)
    assert empty.status_code == 200, empty.text
    assert empty.json() == {
        "user_id": me.user_id,
        "display_name": empty.json()["display_name"],
        "gender": None,
        "genders_sought": [],
        "age_min": None,
        "age_max": None,
        "bio": "",
        "interests": [],
        "relationship_goal": None,
        "values": None,
        "location": None,
        "max_distance_km": None,
        "visibility": "visible",
        "updated_at": None,
        "completeness": {"score": 0.0, "missing": ["photo", "bio", "interests", "assessment"]},
    }

    put = api.http.put("/api/v1/me/profile", json=profile_body(), headers=me.headers)
    assert put.status_code == 200, put.text
    body = put.json()
    assert body == {
        "user_id": me.user_id,
        "display_name": "Robin",
        "gender": "woman",
        "genders_sought": ["man", "nonbinary"],
        "age_min": 27,
        "age_max": 38,
        "bio": "Weekend hiker, weekday baker.",
        "interests": ["hiking", "jazz", "baking"],
        "relationship_goal": "long_term",
        "values": VALUES,
        "location": {"lat": 52.52, "lon": 13.405},
        "max_distance_km": 25.0,
        "visibility": "visible",
        "updated_at": body["updated_at"],
        "completeness": {"score": 0.5, "missing": ["photo", "assessment"]},
    }
    got = api.http.get("/api/v1/me/profile", headers=me.headers)
    assert got.status_code == 200
    assert got.json() == body


def test_optional_fields_and_the_display_name(api: Api) -> None:
    headers = signed_in(api).headers
    body = profile_body(display_name="  Sam  ")
    for optional in ("relationship_goal", "values", "bio", "visibility"):
        del body[optional]
    put = api.http.put("/api/v1/me/profile", json=body, headers=headers)
    assert put.status_code == 200, put.text
    saved = put.json()
    assert saved["relationship_goal"] is None
    assert saved["values"] is None
    assert saved["bio"] == ""
    assert saved["visibility"] == "visible"
    assert saved["completeness"]["missing"] == ["photo", "bio", "assessment"]
    assert api.http.get("/api/v1/me", headers=headers).json()["display_name"] == "Sam"
    # Leaving the display name out keeps it.
    del body["display_name"]
    assert (
        api.http.put("/api/v1/me/profile", json=body, headers=headers).json()["display_name"]
        == "Sam"
    )


def test_bad_fields_are_422_with_one_entry_per_field(api: Api) -> None:
    headers = signed_in(api).headers
    response = api.http.put(
        "/api/v1/me/profile",
        json=profile_body(
            display_name="",
            gender="robot",
            genders_sought=[],
            age_min=40,
            age_max=30,
            bio="x" * 501,
            interests=["one", "two", "x" * 41],
            relationship_goal="forever",
            values={**VALUES, "power": 8, "kindness": 3},
            location={"lat": 91, "lon": -200},
            max_distance_km=501,
            visibility="hidden",
        ),
        headers=headers,
    )
    assert field_codes(response) == {
        "display_name": "required",
        "gender": "invalid_choice",
        "genders_sought": "required",
        "age_min": "age_range_inverted",
        "bio": "too_long",
        "interests.2": "too_long",
        "relationship_goal": "invalid_choice",
        "values.power": "out_of_range",
        "values.kindness": "unknown_value",
        "location.lat": "out_of_range",
        "location.lon": "out_of_range",
        "max_distance_km": "out_of_range",
        "visibility": "invalid_choice",
    }
    assert api.http.get("/api/v1/me/profile", headers=headers).json()["updated_at"] is None


def test_more_bad_inputs(api: Api) -> None:
    headers = signed_in(api).headers
    cases: list[tuple[dict[str, Any], dict[str, str]]] = [
        ({"interests": ["a", "b"]}, {"interests": "too_few"}),
        ({"interests": [f"t{i}" for i in range(16)]}, {"interests": "too_many"}),
        ({"age_min": 17, "age_max": 100}, {"age_min": "out_of_range", "age_max": "out_of_range"}),
        ({"max_distance_km": 0}, {"max_distance_km": "out_of_range"}),
        ({"values": {"power": 3}}, {f"values.{k}": "required" for k in VALUES if k != "power"}),
        ({"values": {**VALUES, "tradition": 2.5}}, {"values.tradition": "out_of_range"}),
        ({"genders_sought": ["man", "cat"]}, {"genders_sought.1": "invalid_choice"}),
    ]
    for overrides, expected in cases:
        response = api.http.put(
            "/api/v1/me/profile", json=profile_body(**overrides), headers=headers
        )
        assert field_codes(response) == expected, overrides


def test_malformed_bodies_name_the_field(api: Api) -> None:
    headers = signed_in(api).headers
    wrong_type = api.http.put(
        "/api/v1/me/profile", json=profile_body(age_min="thirty"), headers=headers
    )
    assert "age_min" in field_codes(wrong_type)
    no_location = profile_body()
    del no_location["location"]
    missing = api.http.put("/api/v1/me/profile", json=no_location, headers=headers)
    assert field_codes(missing) == {"location": "required"}
    unknown = api.http.put("/api/v1/me/profile", json=profile_body(height_cm=180), headers=headers)
    problem(unknown, 422, "validation_failed")
    not_json = api.http.put(
        "/api/v1/me/profile",
        content=b"{not json",
        headers={**headers, "content-type": "application/json"},
    )
    assert not_json.status_code in {400, 422}


def test_profile_routes_need_a_signed_in_member(api: Api) -> None:
    some_id = uuid.uuid4()
    for response in (
        api.http.get("/api/v1/me/profile"),
        api.http.put("/api/v1/me/profile", json=profile_body()),
        api.http.get(f"/api/v1/profiles/{some_id}"),
        api.http.get("/api/v1/me/profile", headers={"authorization": "Bearer nope"}),
    ):
        problem(response, 401, response.json()["code"])


def test_another_members_public_profile(api: Api) -> None:
    viewer = signed_in(api).headers
    target = signed_in(api)
    assert (
        api.http.put("/api/v1/me/profile", json=profile_body(), headers=viewer).status_code == 200
    )
    hamburg = {"lat": 53.5511, "lon": 9.9937}
    assert (
        api.http.put(
            "/api/v1/me/profile",
            json=profile_body(display_name="Kai", gender="man", location=hamburg),
            headers=target.headers,
        ).status_code
        == 200
    )

    response = api.http.get(f"/api/v1/profiles/{target.user_id}", headers=viewer)

    assert response.status_code == 200, response.text
    view = response.json()
    assert view == {
        "user_id": target.user_id,
        "display_name": "Kai",
        "age": view["age"],
        "gender": "man",
        "bio": "Weekend hiker, weekday baker.",
        "interests": ["hiking", "jazz", "baking"],
        "relationship_goal": "long_term",
        "distance_km": 255,
        "photos": [],
    }
    assert 30 <= view["age"] <= 33  # born 1994-06-02 (Api.register)
    for secret in ("53.55", "9.99", '"lat"', '"lon"', "1994", "genders_sought", "power"):
        assert secret not in response.text


def test_hidden_or_unknown_profiles_are_404(api: Api) -> None:
    viewer = signed_in(api).headers
    paused = signed_in(api)
    no_profile_id = signed_in(api).user_id
    api.http.put(
        "/api/v1/me/profile", json=profile_body(visibility="paused"), headers=paused.headers
    )
    for target in (paused.user_id, no_profile_id, str(uuid.uuid4())):
        problem(
            api.http.get(f"/api/v1/profiles/{target}", headers=viewer), 404, "profile_not_found"
        )
    not_an_id = api.http.get("/api/v1/profiles/not-a-uuid", headers=viewer)
    assert not_an_id.status_code == 404
    # Paused members still see themselves.
    assert (
        api.http.get(f"/api/v1/profiles/{paused.user_id}", headers=paused.headers).status_code
        == 200
    )
    # Unpausing shows the profile again.
    api.http.put("/api/v1/me/profile", json=profile_body(), headers=paused.headers)
    assert api.http.get(f"/api/v1/profiles/{paused.user_id}", headers=viewer).status_code == 200


def test_one_members_put_never_touches_anothers_profile(api: Api) -> None:
    first = signed_in(api)
    second = signed_in(api).headers
    api.http.put("/api/v1/me/profile", json=profile_body(bio="First."), headers=first.headers)
    api.http.put(
        "/api/v1/me/profile",
        json=profile_body(bio="Second.", user_id=first.user_id),
        headers=second,
    )
    assert api.http.get("/api/v1/me/profile", headers=first.headers).json()["bio"] == "First."
