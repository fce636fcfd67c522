"""The API through FastAPI's test client: a professional group up to recruitment."""

from __future__ import annotations

FOUNDERS = [
    {"id": "ani", "name": "Ani", "profession": "pharmacist"},
    {"id": "bayu", "name": "Bayu", "profession": "pharmacist"},
]
CHARTER = {
    "vision": "Competent pharmacists",
    "mission": "Learn together",
    "goals": ["raise competence"],
    "steps": ["monthly study circle"],
}


def found(client):
    response = client.post("/groups/professional", json={"name": "IAM", "profession": "pharmacist"})
    assert response.status_code == 201
    assert response.headers["ETag"] == '"0"'
    return response.json()["id"]


def fire(client, gid, event, payload=None, **headers):
    return client.post(f"/groups/professional/{gid}/events/{event}", json=payload, headers=headers)


def test_a_group_goes_to_recruiting_and_a_refusal_says_why_in_indonesian(client):
    gid = found(client)
    assert (
        fire(client, gid, "identify_needs", {"needs": ["continuing education"]}).status_code == 200
    )
    assert fire(client, gid, "form_core_group", {"founders": FOUNDERS}).status_code == 200

    refused = fire(client, gid, "open_recruitment", **{"Accept-Language": "id-ID,id;q=0.9"})
    assert refused.status_code == 409
    assert refused.json()["stage"] == "core_formed"
    [reason] = refused.json()["reasons"]
    assert reason["code"] == "charter.missing"
    assert reason["message"].startswith("Susun dahulu visi, misi")
    assert reason["fixed_by"] == ["adopt_charter"]

    assert fire(client, gid, "adopt_charter", CHARTER).status_code == 200
    done = fire(client, gid, "open_recruitment", **{"If-Match": '"3"'})
    assert done.status_code == 200
    assert done.headers["ETag"] == '"4"'
    assert (done.json()["stage"], done.json()["version"]) == ("recruiting", 4)
    assert "admit" in [step["event"] for step in done.json()["next_steps"]]

    status = client.get(f"/groups/professional/{gid}", headers={"Accept-Language": "id"})
    assert status.json()["stage_label"] == "Rekrutmen anggota"
    assert status.headers["ETag"] == '"4"'


def test_a_payload_of_the_wrong_shape_is_a_422_naming_each_field(client):
    gid = found(client)
    response = fire(client, gid, "identify_needs", {"needs": "many", "extra": 1})
    assert response.status_code == 422
    reasons = response.json()["reasons"]
    assert [(r["code"], r["field"]) for r in reasons] == [
        ("payload.invalid", "needs"),
        ("payload.unknown_field", "extra"),
    ]
    not_json = client.post(f"/groups/professional/{gid}/events/dissolve", content=b"[1,")
    assert not_json.status_code == 422
    assert not_json.json()["reasons"][0]["code"] == "request.invalid"
    refused = client.post("/groups/professional", json={"name": " ", "profession": "pharmacist"})
    assert refused.status_code == 422
    assert [(r["code"], r["field"]) for r in refused.json()["reasons"]] == [
        ("create.invalid", "name")
    ]


def test_if_match_names_the_version_the_client_saw(client):
    gid = found(client)
    stale = fire(client, gid, "identify_needs", {"needs": ["x"]}, **{"If-Match": '"7"'})
    assert stale.status_code == 412
    assert stale.headers["ETag"] == '"0"'
    assert stale.json()["reasons"][0]["code"] == "store.conflict"
    assert fire(client, gid, "dissolve", {"reason": "x"}, **{"If-Match": "v1"}).status_code == 422
    assert client.get(f"/groups/professional/{gid}").json()["version"] == 0


def test_an_idempotency_key_applies_an_event_once(client):
    gid = found(client)
    key = {"Idempotency-Key": "msg-1017"}
    first = fire(client, gid, "identify_needs", {"needs": ["x"]}, **key)
    again = fire(client, gid, "identify_needs", {"needs": ["x"]}, **key)
    assert first.json() == again.json()
    assert again.headers["ETag"] == '"1"'
    other = fire(client, gid, "dissolve", {"reason": "oops"}, **key)
    assert other.status_code == 422
    assert other.json()["reasons"][0]["code"] == "store.idempotency_mismatch"


def test_history_comes_a_page_at_a_time(client):
    gid = found(client)
    fire(client, gid, "identify_needs", {"needs": ["x"]})
    fire(client, gid, "form_core_group", {"founders": FOUNDERS})
    page = client.get(f"/groups/professional/{gid}/history", params={"limit": 1}).json()
    assert [(r["version"], r["event"]) for r in page["records"]] == [(1, "identify_needs")]
    rest = client.get(f"/groups/professional/{gid}/history", params={"after": page["next_after"]})
    assert [(r["version"], r["event"]) for r in rest.json()["records"]] == [(2, "form_core_group")]
    assert rest.json()["next_after"] is None


def test_the_diagram_marks_the_current_stage(client):
    gid = found(client)
    diagram = client.get(f"/groups/professional/{gid}/diagram", headers={"Accept-Language": "id"})
    body = diagram.json()
    assert body["current"] == "awareness"
    assert body["stages"][0] == {
        "name": "awareness",
        "label": "Kesadaran kolektif",
        "terminal": False,
    }
    assert {"event": "develop", "source": "evaluating", "dest": "programmed"}.items() <= next(
        m for m in body["moves"] if m["event"] == "develop"
    ).items()
    assert "class awareness current" in body["mermaid"]


def test_a_group_is_found_only_under_its_own_type(client):
    gid = found(client)
    assert client.get(f"/groups/volunteer/{gid}").status_code == 404
    missing = client.get("/groups/professional/nobody", headers={"Accept-Language": "id"})
    assert missing.status_code == 404
    assert missing.json()["reasons"][0]["message"].startswith("tidak ada kelompok tersimpan")


def test_every_4xx_body_is_a_refusal_in_the_clients_language(client):
    gid = found(client)
    indonesian = {"Accept-Language": "id"}
    unknown = client.post(f"/groups/professional/{gid}/events/launch_rocket", headers=indonesian)
    assert unknown.status_code == 404
    assert unknown.json()["reasons"][0]["code"] == "request.not_found"
    assert unknown.json()["reasons"][0]["message"] == "alamat atau metode ini tidak ada"
    body = client.post(
        f"/groups/professional/{gid}/events/identify_needs", content=b"[1]", headers=indonesian
    )
    assert body.status_code == 422
    assert body.json()["reasons"][0]["message"] == "isi permintaan harus objek JSON"
    page = client.get(f"/groups/professional/{gid}/history?limit=0", headers=indonesian)
    assert page.status_code == 422
    assert page.json()["reasons"][0]["message"] == "harus paling kecil 1"


def test_the_openapi_document_has_each_events_payload_schema(client):
    paths = client.get("/openapi.json").json()["paths"]
    identify = paths["/groups/volunteer/{group_id}/events/identify_needs"]["post"]
    schema = identify["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["needs", "work_area"]
    admit = paths["/groups/professional/{group_id}/events/admit"]["post"]
    member = admit["requestBody"]["content"]["application/json"]["schema"]["properties"]["member"]
    assert member["required"] == ["id", "name"]  # $defs written in place
    assert {"409", "412", "422"} <= set(admit["responses"])
