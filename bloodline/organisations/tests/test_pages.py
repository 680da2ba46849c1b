"""Organisation pages: adding, editing and moving units through forms."""

from __future__ import annotations

from bloodline.organisations.models import Organisation


def test_a_committee_member_adds_a_commune_through_the_form(demo, login):
    district = demo.nodes["vn_dong"]
    client = login("district_committee", HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    form = client.get(f"/organisations/{district.uuid}/add/").content.decode()
    assert 'value="commune"' in form and 'value="province"' not in form
    response = client.post(
        f"/organisations/{district.uuid}/add/",
        {
            "kind": "commune",
            "name": "Xã Đông Phước",
            "official_code": "VN-D01-01-77",
            "name_en": "Dong Phuoc Commune",
            "is_active": "on",
        },
    )
    created = Organisation.objects.get(name="Xã Đông Phước")
    assert response.status_code == 302 and response["Location"] == f"/organisations/{created.uuid}/"
    assert created.name_translations == {"en": "Dong Phuoc Commune"}
    assert "Dong Phuoc Commune" in client.get(response["Location"]).content.decode()


def test_a_form_error_is_shown_at_the_field_and_nothing_is_saved(demo, login):
    district = demo.nodes["vn_dong"]
    client = login("district_committee")
    client.cookies["django_language"] = "en"
    before = Organisation.objects.count()
    page = client.post(
        f"/organisations/{district.uuid}/add/",
        {
            "kind": "commune",
            "name": "Xã Trùng",
            "official_code": "VN-D01-01-01",
        },
    ).content.decode()
    assert "Another organisation of this kind already has this official code." in page
    assert 'id="id_official_code_error"' in page
    assert Organisation.objects.count() == before


def test_an_edit_through_the_form_is_saved_with_its_reason(demo, login):
    school = demo.nodes["vn_tay_school"]
    client = login("province_committee")
    response = client.post(
        f"/organisations/{school.uuid}/edit/",
        {
            "name": "Trường THPT Tây Giang số 1",
            "version": school.version,
            "is_active": "on",
            "reason": "Quyết định đổi tên",
        },
    )
    assert response.status_code == 302
    history = client.get(f"/organisations/{school.uuid}/history/").content.decode()
    assert "Trường THPT Tây Giang số 1" in history and "Quyết định đổi tên" in history


def test_a_subtree_is_moved_through_the_form(demo, login):
    garment, tay = demo.nodes["vn_garment"], demo.nodes["vn_tay"]
    client = login("province_committee")
    page = client.get(f"/organisations/{garment.uuid}/move/").content.decode()
    assert str(tay.uuid) in page and str(garment.uuid) not in page.split("<select")[1]
    response = client.post(f"/organisations/{garment.uuid}/move/", {"new_parent": str(tay.uuid)})
    assert response.status_code == 302
    garment.refresh_from_db()
    assert garment.parent_id == tay.pk


def test_the_tree_expands_children_as_a_fragment_for_htmx(demo, login):
    district = demo.nodes["vn_dong"]
    fragment = (
        login("district_committee")
        .get(f"/organisations/{district.uuid}/children/", HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert fragment.lstrip().startswith('<ul class="tree">') and "Xã An Phú" in fragment
    assert "<html" not in fragment


def test_the_demo_can_be_loaded_twice_without_duplicates(demo):
    from bloodline.demo.seed import seed

    again = seed()
    assert not again.created and len(again.accounts) == len(demo.accounts)
    assert Organisation.objects.filter(kind="country").count() == 2
