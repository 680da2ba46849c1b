"""The organisation tree: placement rules, subtree queries, moves and the no-cycle guarantee."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import translation

from bloodline.audit.models import AuditEvent
from bloodline.lib.locking import StaleEdit
from bloodline.lib.querycount import assert_flat, counted
from bloodline.organisations import actions
from bloodline.organisations.kinds import Kind
from bloodline.organisations.models import Organisation


@pytest.fixture
def chair(demo):
    return next(u for p, u in demo.accounts if p.username == "province_committee")


def test_it_finds_a_subtree_and_the_ancestors_of_a_node(demo):
    dong = demo.nodes["vn_dong"]
    subtree = set(Organisation.objects.subtree(dong).values_list("pk", flat=True))
    assert demo.nodes["vn_garment_union"].pk in subtree
    assert demo.nodes["vn_tay"].pk not in subtree
    chain = list(Organisation.objects.ancestors_of(demo.nodes["vn_garment_union"]))
    assert [o.kind for o in chain] == ["country", "province", "district", "enterprise"]


def test_it_moves_a_subtree_with_all_its_units(demo, chair):
    garment, tay = demo.nodes["vn_garment"], demo.nodes["vn_tay"]
    union = demo.nodes["vn_garment_union"]
    actions.move_organisation(by=chair, organisation=garment, new_parent=tay, reason="relocated")
    union.refresh_from_db()
    garment.refresh_from_db()
    assert garment.parent == tay and union.parent == garment
    assert union.path.startswith(tay.path) and union.depth == tay.depth + 2
    assert union.pk in set(Organisation.objects.subtree(tay).values_list("pk", flat=True))
    assert union.pk not in set(
        Organisation.objects.subtree(demo.nodes["vn_dong"]).values_list("pk", flat=True)
    )
    event = AuditEvent.objects.for_object("organisations.organisation", str(garment.uuid)).first()
    assert event.action == "organisation.move" and event.reason == "relocated"


def test_it_refuses_to_move_a_node_under_its_own_descendant_with_a_translated_message(demo, chair):
    dong, commune = demo.nodes["vn_dong"], demo.nodes["vn_dong_c0"]
    before = AuditEvent.objects.count()
    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        actions.move_organisation(by=chair, organisation=dong, new_parent=commune)
    message = caught.value.message_dict["parent"][0]
    with translation.override("en"):
        english = "An organisation cannot be moved under itself or one of its own units."
    assert message != english and message.strip()
    dong.refresh_from_db()
    assert dong.parent == demo.nodes["vn_province"] and AuditEvent.objects.count() == before


def test_the_database_refuses_a_cycle_even_from_raw_sql(demo):
    dong, commune = demo.nodes["vn_dong"], demo.nodes["vn_dong_c0"]
    with (
        pytest.raises((IntegrityError, DatabaseError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE organisations_organisation SET parent_id = %s WHERE id = %s",
            [commune.pk, dong.pk],
        )


def test_a_node_cannot_be_its_own_parent_in_the_database(demo):
    dong = demo.nodes["vn_dong"]
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Organisation.objects.filter(pk=dong.pk).update(parent=dong)


@pytest.mark.parametrize(
    ("parent_key", "kind", "field"),
    [
        ("vn_dong", Kind.PROVINCE, "parent"),  # a province under a district
        ("vn_dong_c0", Kind.DISTRICT, "parent"),
        ("vn_province", Kind.HOSPITAL_BLOOD_BANK, "parent"),  # a blood bank needs a hospital
        ("vn_province", "spaceship", "kind"),
    ],
)
def test_it_refuses_a_unit_in_the_wrong_place(demo, chair, parent_key, kind, field):
    before = Organisation.objects.count()
    with pytest.raises(ValidationError) as caught:
        actions.create_organisation(by=chair, parent=demo.nodes[parent_key], kind=kind, name="X")
    assert field in caught.value.message_dict
    assert Organisation.objects.count() == before


def test_it_refuses_a_duplicate_official_code_at_the_field(demo, chair):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        actions.create_organisation(
            by=chair,
            parent=demo.nodes["vn_dong"],
            kind=Kind.COMMUNE,
            name="Xã Mới",
            official_code="VN-D01-01-01",
        )
    assert "official_code" in caught.value.message_dict
    assert AuditEvent.objects.count() == events


def test_the_database_also_refuses_a_duplicate_official_code(demo):
    commune = demo.nodes["vn_dong_c0"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(
            kind=Kind.COMMUNE,
            name="Twin",
            parent=commune.parent,
            path="~twin",
            depth=3,
            official_code=commune.official_code,
        )


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"time_zone": "Asia/Ho_Chi_Minh"}, "jurisdiction"),
        ({"time_zone": "Asia/Ho_Chi_Minh", "jurisdiction": "XX-NOPE"}, "jurisdiction"),
        ({"jurisdiction": "VN-TT26-2013"}, "time_zone"),
        ({"jurisdiction": "VN-TT26-2013", "time_zone": "Mars/Olympus"}, "time_zone"),
    ],
)
def test_a_blood_establishment_needs_a_loaded_rule_set_and_a_time_zone(demo, chair, extra, field):
    with pytest.raises(ValidationError) as caught:
        actions.create_organisation(
            by=chair,
            parent=demo.nodes["vn_province"],
            kind=Kind.BLOOD_STATION,
            name="Trạm",
            **extra,
        )
    assert field in caught.value.message_dict


def test_the_database_refuses_an_establishment_without_rules(demo):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(
            kind=Kind.BLOOD_CENTRE,
            name="No rules",
            parent=demo.nodes["vn_province"],
            path="~norules",
            depth=2,
        )


def test_only_countries_are_roots_in_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(kind=Kind.PROVINCE, name="Floating", path="~floating")


def test_an_establishment_chooses_its_rule_set(demo, chair):
    station = actions.create_organisation(
        by=chair,
        parent=demo.nodes["vn_province"],
        kind=Kind.BLOOD_STATION,
        name="Trạm Bắc",
        time_zone="Asia/Ho_Chi_Minh",
        jurisdiction="VN-TT26-2013",
    )
    assert station.jurisdiction == "VN-TT26-2013"
    updated = actions.update_organisation(
        by=chair,
        organisation=station,
        version=station.version,
        changes={"jurisdiction": "WHO-2012"},
        reason="pilot",
    )
    assert updated.jurisdiction == "WHO-2012" and updated.version == station.version + 1


def test_a_stale_edit_is_refused_and_changes_nothing(demo, chair):
    commune = demo.nodes["vn_dong_c1"]
    actions.update_organisation(
        by=chair, organisation=commune, version=commune.version, changes={"name": "Xã Hòa Bình Mới"}
    )
    with pytest.raises(StaleEdit):
        actions.update_organisation(
            by=chair, organisation=commune, version=commune.version, changes={"name": "Lost update"}
        )
    commune.refresh_from_db()
    assert commune.name == "Xã Hòa Bình Mới"


def test_the_detail_page_query_count_does_not_grow_with_the_children(demo, chair, login):
    client = login("province_committee")
    commune = demo.nodes["vn_tay_c0"]  # one child: its party branch
    assert commune.children.count() == 1
    client.get(f"/organisations/{commune.uuid}/")  # session and grants settle
    with counted() as few:
        assert client.get(f"/organisations/{commune.uuid}/").status_code == 200
    for i in range(9):
        actions.create_organisation(
            by=chair, parent=commune, kind=Kind.ENTERPRISE, name=f"Firm {i}"
        )
    with counted() as many:
        page = client.get(f"/organisations/{commune.uuid}/")
    assert_flat(few, many, sizes=(1, 10))
    assert len(few) <= 40
    assert page.content.decode().count("Firm ") == 9


def test_the_time_zones_of_many_nodes_are_read_in_one_query_as_each_reads_its_own(demo):
    # A district with its own zone: its units take it, not the country's above it.
    Organisation.objects.filter(pk=demo.nodes["vn_dong"].pk).update(time_zone="Asia/Bangkok")
    nodes = list(Organisation.objects.all())
    with counted() as queries:
        zones = Organisation.objects.time_zones_of(nodes)
    assert len(queries) == 1
    assert zones == {node.pk: node.effective_time_zone() for node in nodes}
    assert zones[demo.nodes["vn_garment_union"].pk] == "Asia/Bangkok"
    assert zones[demo.nodes["vn_tay"].pk] != "Asia/Bangkok"
