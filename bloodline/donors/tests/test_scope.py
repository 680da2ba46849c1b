"""A registry is national, never global (decision 0030).

Registry staff (drive nurses, physicians, establishment administrators) read and change the
donors of their own country's registry, wherever in the country they work; a donor of
another country's registry answers 404 to them (page, API, search, identity-number lookup),
exactly as to someone who may not use the registry at all. Chinese and Vietnamese personas
are checked both ways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.audit.models import AuditEvent
from bloodline.donors import actions
from bloodline.donors.tests.conftest import cn_number, vn_number
from bloodline.organisations import actions as organisations
from bloodline.organisations.kinds import Kind
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Role

BORN = dt.date(1990, 3, 4)


def _member(username: str, organisation: Organisation, role: str) -> User:
    user = User.objects.create_user(username=username, password="x", full_name=username)
    organisations.add_membership(
        by=system_actor(),
        user=user,
        organisation=organisation,
        role=role,
        valid_from=timezone.localdate() - dt.timedelta(days=1),
    )
    return user


@pytest.fixture
def donor(demo, make_donor, nurse):
    found = make_donor(full_name="Bùi Thị Ngọc", date_of_birth=BORN, sex="F")
    actions.add_identity_document(
        by=nurse,
        donor=found,
        kind="vn_citizen_identity_card",
        number=vn_number(BORN, "F"),
        issuing_country="VN",
    )
    return found


@pytest.fixture
def cn_donor(demo, users):
    admin = users["cn_establishment_admin"]
    found = actions.create_donor(
        by=admin,
        full_name="王秀英",
        date_of_birth=BORN,
        sex="F",
        region="CN",
        confirmed_distinct=True,
    )
    actions.add_identity_document(
        by=admin,
        donor=found,
        kind="cn_resident_identity_card",
        number=cn_number(BORN, "F"),
        issuing_country="CN",
    )
    return found


@pytest.fixture
def cn_nurse(demo):
    return _member(
        "cn_drive_nurse", Organisation.objects.get(official_code="CN-BC-D90"), Role.DRIVE_NURSE
    )


@pytest.fixture
def other_province_admin(demo):
    """The administrator of a Vietnamese blood centre in another province."""
    vn = Organisation.objects.get(kind=Kind.COUNTRY, official_code="VN")
    province = organisations.create_organisation(
        by=system_actor(), parent=vn, kind=Kind.PROVINCE, name="Tỉnh Thử Nghiệm"
    )
    centre = organisations.create_organisation(
        by=system_actor(),
        parent=province,
        kind=Kind.BLOOD_CENTRE,
        name="Trung tâm Máu Thử Nghiệm",
        time_zone="Asia/Ho_Chi_Minh",
        jurisdiction="VN-TT26-2013",
    )
    return _member("vn_other_province_admin", centre, Role.ESTABLISHMENT_ADMIN)


@pytest.fixture
def as_user(client):
    def sign_in(user: User):
        client.force_login(user)
        client.cookies["django_language"] = "en"
        return client

    return sign_in


def _paths(donor) -> list[str]:
    return [
        f"/donors/{donor.uuid}/",
        f"/donors/{donor.uuid}/edit/",
        f"/donors/{donor.uuid}/duplicates/",
        f"/donors/{donor.uuid}/reads/",
        f"/trace/donor/{donor.uuid}/",
        f"/api/v1/donors/{donor.uuid}",
        f"/api/v1/donors/{donor.uuid}/documents",
        f"/api/v1/donors/{donor.uuid}/consents",
        f"/api/v1/donors/{donor.uuid}/duplicates",
    ]


def _hidden_everywhere(client, donor, name: str, number: str) -> None:
    for path in _paths(donor):
        assert client.get(path).status_code == 404, path
    patched = client.patch(
        f"/api/v1/donors/{donor.uuid}",
        {"version": donor.version, "address": "x"},
        content_type="application/json",
    )
    assert patched.status_code == 404
    posted = client.post(f"/donors/{donor.uuid}/edit/", {"full_name": "x"})
    assert posted.status_code == 404
    for query in (name, number):
        assert str(donor.uuid) not in client.get("/donors/", {"q": query}).content.decode()
        assert client.get("/api/v1/donors", {"q": query}).json()["count"] == 0


def test_a_chinese_administrator_cannot_reach_a_vietnamese_donor(english, donor):
    client = english("cn_establishment_admin")
    _hidden_everywhere(client, donor, "Bùi Thị Ngọc", vn_number(BORN, "F"))
    donor.refresh_from_db()
    assert donor.address == ""


def test_a_chinese_drive_nurse_cannot_reach_a_vietnamese_donor(as_user, cn_nurse, donor):
    _hidden_everywhere(as_user(cn_nurse), donor, "Bùi Thị Ngọc", vn_number(BORN, "F"))


@pytest.mark.parametrize("persona", ["drive_nurse", "physician", "establishment_admin"])
def test_vietnamese_staff_cannot_reach_a_chinese_donor(english, cn_donor, persona):
    _hidden_everywhere(english(persona), cn_donor, "王秀英", cn_number(BORN, "F"))


@pytest.mark.parametrize("persona", ["drive_nurse", "physician", "establishment_admin"])
def test_registry_staff_can_search_and_read(english, donor, persona):
    client = english(persona)
    assert "Bùi Thị Ngọc" in client.get("/donors/?q=bui thi ngoc").content.decode()
    assert "Bùi Thị Ngọc" in client.get("/donors/", {"q": vn_number(BORN, "F")}).content.decode()
    assert client.get(f"/donors/{donor.uuid}/").status_code == 200
    assert client.get(f"/api/v1/donors/{donor.uuid}").status_code == 200


def test_the_chinese_administrator_reads_chinese_donors(english, cn_donor):
    client = english("cn_establishment_admin")
    assert client.get(f"/api/v1/donors/{cn_donor.uuid}").status_code == 200
    assert client.get("/api/v1/donors", {"q": cn_number(BORN, "F")}).json()["count"] == 1


def test_the_registry_is_national(as_user, other_province_admin, donor):
    """A Vietnamese blood centre in another province reads and changes the donor."""
    client = as_user(other_province_admin)
    assert client.get(f"/donors/{donor.uuid}/").status_code == 200
    assert client.get("/api/v1/donors", {"q": "bui thi ngoc"}).json()["count"] == 1
    patched = client.patch(
        f"/api/v1/donors/{donor.uuid}",
        {"version": donor.version, "address": "12 Đường Thử"},
        content_type="application/json",
    )
    assert patched.status_code == 200


def test_the_donor_joins_the_registry_of_the_country(donor, cn_donor):
    assert donor.registry.official_code == "VN"
    assert cn_donor.registry.official_code == "CN"


@pytest.mark.parametrize("persona", ["unit_organiser", "hospital_user", "lab_technician", "donor"])
def test_others_are_refused(english, donor, persona):
    client = english(persona)
    assert client.get("/donors/").status_code == 403
    assert client.get("/donors/new/").status_code == 403
    assert client.get(f"/donors/{donor.uuid}/").status_code == 404
    assert client.get(f"/donors/{donor.uuid}/edit/").status_code == 404
    assert client.get("/api/v1/donors?q=bui").status_code == 403
    assert client.get(f"/api/v1/donors/{donor.uuid}").status_code == 404
    created = client.post("/api/v1/donors", {"full_name": "X Y"}, content_type="application/json")
    assert created.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, donor):
    assert client.get(f"/donors/{donor.uuid}/").status_code == 302
    assert client.get(f"/api/v1/donors/{donor.uuid}").status_code == 401


# Trace -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["drive_nurse", "physician"])
def test_the_trace_of_a_donor_needs_the_trace_permission(english, donor, persona):
    assert english(persona).get(f"/trace/donor/{donor.uuid}/").status_code == 403
    assert not AuditEvent.objects.filter(action="donor.read").exists()


def test_the_establishment_administrator_traces_the_donor(english, donor):
    assert english("establishment_admin").get(f"/trace/donor/{donor.uuid}/").status_code == 200
