"""Each persona reaches exactly its part of the tree, in the pages and in the API alike.

The expected scopes are written out by hand from the demo tree, not computed with the code
under test: visible nodes answer 200, others 404; visible but unchangeable nodes refuse edits
with 403.
"""

from __future__ import annotations

import pytest

from bloodline.organisations.models import Organisation

DONG = {
    "vn_dong",
    "vn_dong_committee",
    "vn_dong_school",
    "vn_dong_youth",
    "vn_dong_redcross",
    "vn_dong_military",
    "vn_dong_health",
    "vn_garment",
    "vn_garment_union",
    "vn_seafood",
    *{f"vn_dong_c{i}" for i in range(6)},
    *{f"vn_dong_c{i}_party" for i in range(6)},
}
TAY = {
    "vn_tay",
    "vn_tay_committee",
    "vn_tay_school",
    "vn_tay_youth",
    "vn_tay_redcross",
    "vn_tay_military",
    "vn_tay_health",
    "vn_coop",
    "vn_station",
    *{f"vn_tay_c{i}" for i in range(4)},
    *{f"vn_tay_c{i}_party" for i in range(4)},
}
PROVINCE = {
    "vn_province",
    "vn_province_committee",
    "vn_centre",
    "vn_point",
    "vn_hospital",
    "vn_hospital_bank",
    "vn_university",
    *DONG,
    *TAY,
}
CENTRE = {"vn_centre", "vn_point"}
GARMENT = {"vn_garment", "vn_garment_union"}
CN_DISTRICT = {
    "cn_district",
    "cn_district_committee",
    "cn_station",
    "cn_hospital",
    "cn_hospital_bank",
    "cn_street0",
    "cn_street1",
    "cn_street2",
    "cn_park",
    "cn_school",
    "cn_agency",
    *{f"cn_firm{i}" for i in range(5)},
}

# persona: (nodes it sees, nodes it may change)
SCOPES: dict[str, tuple[set[str], set[str]]] = {
    "province_committee": (PROVINCE, PROVINCE),
    "district_committee": (DONG, DONG),
    "unit_organiser": (GARMENT, GARMENT),
    "drive_nurse": (CENTRE, set()),
    "physician": (CENTRE, set()),
    "lab_technician": (CENTRE, set()),
    "inventory_clerk": (CENTRE, set()),
    "hospital_user": ({"vn_hospital", "vn_hospital_bank"}, set()),
    "donor": (GARMENT, set()),
    "establishment_admin": (CENTRE, CENTRE),
    "cn_committee": (CN_DISTRICT, CN_DISTRICT),
    "cn_establishment_admin": ({"cn_centre"}, {"cn_centre"}),
}


def expected(status_if_allowed: int, key: str, visible: set[str], allowed: set[str]) -> int:
    if key not in visible:
        return 404
    return status_if_allowed if key in allowed else 403


@pytest.mark.parametrize("persona", sorted(SCOPES))
def test_each_persona_reaches_exactly_its_scope(demo, login, persona):
    visible, changeable = SCOPES[persona]
    assert visible <= set(demo.nodes), "scope table names a node the demo lacks"
    client = login(persona)
    wrong = []
    for key, org in demo.nodes.items():
        org.refresh_from_db()
        checks = {
            "page": (
                client.get(f"/organisations/{org.uuid}/").status_code,
                expected(200, key, visible, visible),
            ),
            "edit page": (
                client.get(f"/organisations/{org.uuid}/edit/").status_code,
                expected(200, key, visible, changeable),
            ),
            "api get": (
                client.get(f"/api/v1/organisations/{org.uuid}").status_code,
                expected(200, key, visible, visible),
            ),
            "api patch": (
                client.patch(
                    f"/api/v1/organisations/{org.uuid}",
                    {"version": org.version},
                    content_type="application/json",
                ).status_code,
                expected(200, key, visible, changeable),
            ),
        }
        wrong += [
            f"{key} {what}: got {got}, expected {want}"
            for what, (got, want) in checks.items()
            if got != want
        ]
    assert wrong == []
    listed = client.get("/api/v1/organisations?limit=500").json()
    assert {o["uuid"] for o in listed["items"]} == {str(demo.nodes[k].uuid) for k in visible}


@pytest.mark.parametrize("persona", sorted(SCOPES))
def test_each_persona_home_page_shows_its_real_organisation_and_role(demo, login, persona):
    from bloodline.demo.seed import PERSONAS

    spec = next(p for p in PERSONAS if p.username == persona)
    org = demo.nodes[spec.where]
    page = login(persona, HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert org.name in page
    assert str(org.memberships.get(user__username=persona).get_role_display()) in page


def test_a_staff_member_cannot_change_their_own_establishment(demo, login):
    centre = demo.nodes["vn_centre"]
    response = login("drive_nurse").post(
        f"/organisations/{centre.uuid}/edit/",
        {
            "name": "Renamed",
            "version": centre.version,
            "time_zone": centre.time_zone,
            "jurisdiction": centre.jurisdiction,
            "is_active": "on",
        },
    )
    assert response.status_code == 403
    centre.refresh_from_db()
    assert centre.name == "Trung tâm Truyền máu tỉnh Bình Minh"


def test_an_organiser_cannot_add_units_outside_their_enterprise(demo, login):
    province = demo.nodes["vn_province"]
    before = Organisation.objects.count()
    client = login("unit_organiser")
    page = client.post(f"/organisations/{province.uuid}/add/", {"kind": "enterprise", "name": "X"})
    api = client.post(
        "/api/v1/organisations",
        {"parent": str(province.uuid), "kind": "enterprise", "name": "X"},
        content_type="application/json",
    )
    assert (page.status_code, api.status_code) == (404, 404)
    assert Organisation.objects.count() == before


def test_a_committee_cannot_move_its_own_district_away(demo, login):
    district = demo.nodes["vn_dong"]
    other = demo.nodes["vn_tay"]
    client = login("district_committee")
    assert client.get(f"/organisations/{district.uuid}/move/").status_code == 403
    response = client.post(
        f"/api/v1/organisations/{district.uuid}/move",
        {"new_parent": str(other.uuid)},
        content_type="application/json",
    )
    assert response.status_code == 404  # the target district is outside its scope


def test_anonymous_visitors_are_sent_to_sign_in_and_the_api_answers_401(demo, client):
    org = demo.nodes["vn_dong"]
    page = client.get(f"/organisations/{org.uuid}/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    assert client.get(f"/api/v1/organisations/{org.uuid}").status_code == 401


def test_the_platform_administrator_sees_every_organisation(demo, login):
    listed = login("admin").get("/api/v1/organisations?limit=500").json()
    assert listed["count"] == Organisation.objects.count()


def test_an_ended_membership_gives_no_access(demo, login):
    import datetime as dt

    membership = demo.nodes["vn_garment"].memberships.get(user__username="unit_organiser")
    membership.valid_to = dt.date.today() - dt.timedelta(days=1)
    membership.valid_from = membership.valid_to - dt.timedelta(days=30)
    membership.save()
    garment = demo.nodes["vn_garment"]
    assert login("unit_organiser").get(f"/organisations/{garment.uuid}/").status_code == 404
