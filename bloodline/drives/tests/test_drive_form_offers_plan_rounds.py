"""The drive form offers the rounds of the plans its organisers hold drives under: a blood
centre's staff see the rounds of the district committee's plan in the area they serve, never
another country's."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from bloodline.drives.models import Drive
from bloodline.drives.tests.conftest import in_days
from bloodline.programmes.models import Plan, PlanStatus, Round


def _plan(issuer: Any, area: Any, number: str, status: str = PlanStatus.ISSUED) -> Round:
    plan = Plan.objects.create(
        issuer=issuer,
        area=area,
        number=number,
        issued_on=in_days(-30),
        title="Kế hoạch vận động hiến máu",
        period_start=in_days(-30),
        period_end=in_days(300),
        measure="donations",
        base_volume_ml=250,
        rule_set="VN-TT26-2013",
        status=status,
    )
    return Round.objects.create(plan=plan, name="Đợt 1", starts_on=in_days(1), ends_on=in_days(40))


def test_it_offers_the_district_plans_rounds_to_the_blood_centre(demo, english):
    nodes = demo.nodes
    district = _plan(nodes["vn_dong_committee"], nodes["vn_dong"], "276/KH-BCĐ")
    province = _plan(nodes["vn_province_committee"], nodes["vn_province"], "12/KH-BCĐ")
    china = _plan(nodes["cn_district_committee"], nodes["cn_district"], "翠血〔2026〕1号")
    old = _plan(nodes["vn_dong_committee"], nodes["vn_dong"], "1/KH-BCĐ", PlanStatus.SUPERSEDED)
    page = english("establishment_admin").get(reverse("drives:create"))
    assert page.status_code == 200
    offered = {key for key, _label in page.context["form"].fields["round"].choices if key}
    assert offered == {str(district.uuid), str(province.uuid)}
    assert str(china.uuid) not in offered and str(old.uuid) not in offered


def test_a_drive_is_created_under_the_chosen_round(demo, english):
    nodes = demo.nodes
    spring = _plan(nodes["vn_dong_committee"], nodes["vn_dong"], "276/KH-BCĐ")
    client = english("establishment_admin")
    form = client.get(reverse("drives:create")).context["form"]
    data = {
        "establishment": str(nodes["vn_centre"].uuid),
        "title": "Ngày hội hiến máu",
        "venue": "Nhà văn hoá",
        "starts_on": in_days(2).isoformat(),
        "ends_on": in_days(2).isoformat(),
        "opens_at": "07:00",
        "closes_at": "11:00",
        "slot_minutes": "30",
        "beds": "4",
        "expected_units": "20",
        "hosts": [str(nodes["vn_garment"].uuid)],
        "round": str(spring.uuid),
    }
    assert "round" in form.fields
    page = client.post(reverse("drives:create"), data)
    assert page.status_code == 302, page.context["form"].errors if page.context else page
    assert Drive.objects.get(title="Ngày hội hiến máu").round == spring
