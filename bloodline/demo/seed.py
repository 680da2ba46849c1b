"""The generated demo programme: an organisation tree in Vietnam and China and one account
per persona. Every name of a person is generated from common syllables; places and units are
invented. Nothing here describes real people."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.organisations import actions
from bloodline.organisations.kinds import Kind
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Role

DEMO_PASSWORD = "demo"  # noqa: S105 - printed by `make run`; demo databases only
MARKER_CODE = "VN"

VN_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
VN_MIDDLE = ["Thị", "Văn", "Minh", "Thu", "Đức", "Ngọc", "Quang", "Thanh"]
VN_GIVEN = ["An", "Bình", "Hoa", "Lan", "Mai", "Nam", "Hùng", "Dũng", "Hương", "Tuấn", "Linh"]
CN_FAMILY = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴"]
CN_GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "军", "杰"]


@dataclass(frozen=True)
class Persona:
    username: str
    role: str
    where: str  # key of the organisation in the built tree
    country: str
    description: str


PERSONAS = [
    Persona(
        "province_committee",
        Role.COMMITTEE_MEMBER,
        "vn_province_committee",
        "VN",
        "province steering-committee member (whole province)",
    ),
    Persona(
        "district_committee",
        Role.COMMITTEE_MEMBER,
        "vn_dong_committee",
        "VN",
        "district steering-committee member (Đông Giang district)",
    ),
    Persona(
        "unit_organiser",
        Role.UNIT_ORGANISER,
        "vn_garment",
        "VN",
        "unit organiser at a garment enterprise",
    ),
    Persona("drive_nurse", Role.DRIVE_NURSE, "vn_centre", "VN", "blood-centre drive nurse"),
    Persona("physician", Role.PHYSICIAN, "vn_centre", "VN", "blood-centre physician"),
    Persona("lab_technician", Role.LAB_TECHNICIAN, "vn_centre", "VN", "laboratory technician"),
    Persona("inventory_clerk", Role.INVENTORY_CLERK, "vn_centre", "VN", "inventory clerk"),
    Persona(
        "hospital_user",
        Role.HOSPITAL_USER,
        "vn_hospital",
        "VN",
        "provincial hospital blood-bank user",
    ),
    Persona("donor", Role.DONOR, "vn_garment", "VN", "donor working at the garment enterprise"),
    Persona(
        "establishment_admin",
        Role.ESTABLISHMENT_ADMIN,
        "vn_centre",
        "VN",
        "blood-centre administrator",
    ),
    Persona(
        "cn_committee",
        Role.COMMITTEE_MEMBER,
        "cn_district_committee",
        "CN",
        "district blood-donation leading group member (翠园区)",
    ),
    Persona(
        "cn_establishment_admin",
        Role.ESTABLISHMENT_ADMIN,
        "cn_centre",
        "CN",
        "blood-centre administrator (China)",
    ),
]


def _person_name(rng: random.Random, country: str) -> str:
    if country == "CN":
        return rng.choice(CN_FAMILY) + "".join(rng.sample(CN_GIVEN, rng.choice([1, 2])))
    return f"{rng.choice(VN_FAMILY)} {rng.choice(VN_MIDDLE)} {rng.choice(VN_GIVEN)}"


class _Tree:
    def __init__(self) -> None:
        self.nodes: dict[str, Organisation] = {}

    def add(self, key: str, parent: str | None, kind: str, name: str, **extra: object) -> None:
        self.nodes[key] = actions.create_organisation(
            by=system_actor(),
            parent=self.nodes[parent] if parent else None,
            kind=kind,
            name=name,
            **extra,  # type: ignore[arg-type]
        )


def _vietnam(t: _Tree) -> None:
    vn_tz = {"time_zone": "Asia/Ho_Chi_Minh"}
    vn_rules = {**vn_tz, "jurisdiction": "VN-TT26-2013"}
    t.add(
        "vn",
        None,
        Kind.COUNTRY,
        "Việt Nam",
        official_code="VN",
        name_translations={
            "en": "Vietnam",
            "zh-hans": "越南",
            "zh-hant": "越南",
            "fr": "Viêt Nam",
            "es": "Vietnam",
        },
        **vn_tz,
    )
    t.add(
        "vn_province",
        "vn",
        Kind.PROVINCE,
        "Tỉnh Bình Minh",
        official_code="VN-D01",
        name_translations={
            "en": "Binh Minh Province",
            "zh-hans": "平明省",
            "zh-hant": "平明省",
            "fr": "Province de Binh Minh",
            "es": "Provincia de Binh Minh",
        },
    )
    t.add(
        "vn_province_committee",
        "vn_province",
        Kind.STEERING_COMMITTEE,
        "Ban Chỉ đạo vận động hiến máu tình nguyện tỉnh Bình Minh",
    )
    t.add(
        "vn_centre",
        "vn_province",
        Kind.BLOOD_CENTRE,
        "Trung tâm Truyền máu tỉnh Bình Minh",
        official_code="VN-BC-D01",
        name_translations={
            "en": "Binh Minh Provincial Blood Transfusion Centre",
            "zh-hans": "平明省输血中心",
            "zh-hant": "平明省輸血中心",
            "fr": "Centre de transfusion sanguine de la province de Binh Minh",
            "es": "Centro de Transfusión Sanguínea de la provincia de Binh Minh",
        },
        **vn_rules,
    )
    t.add(
        "vn_point",
        "vn_centre",
        Kind.COLLECTION_POINT,
        "Điểm hiến máu cố định Bình Minh",
        name_translations={
            "en": "Binh Minh permanent donation point",
            "zh-hans": "平明固定献血点",
            "zh-hant": "平明固定捐血點",
            "fr": "Point de collecte permanent de Binh Minh",
            "es": "Punto fijo de donación de Binh Minh",
        },
        **vn_rules,
    )
    t.add(
        "vn_hospital",
        "vn_province",
        Kind.HOSPITAL,
        "Bệnh viện Đa khoa tỉnh Bình Minh",
        name_translations={
            "en": "Binh Minh Provincial General Hospital",
            "zh-hans": "平明省综合医院",
            "zh-hant": "平明省綜合醫院",
            "fr": "Hôpital général de la province de Binh Minh",
            "es": "Hospital General de la provincia de Binh Minh",
        },
    )
    t.add(
        "vn_hospital_bank",
        "vn_hospital",
        Kind.HOSPITAL_BLOOD_BANK,
        "Khoa Huyết học – Truyền máu, Bệnh viện Đa khoa tỉnh Bình Minh",
        name_translations={
            "en": "Haematology and Transfusion Department, Binh Minh Provincial General Hospital",
            "zh-hans": "平明省综合医院血液与输血科",
            "zh-hant": "平明省綜合醫院血液與輸血科",
            "fr": "Service d'hématologie et de transfusion, Hôpital général de Binh Minh",
            "es": "Servicio de Hematología y Transfusión, Hospital General de Binh Minh",
        },
        **vn_rules,
    )
    for d, (district, communes) in enumerate(
        [
            ("Đông Giang", ["An Phú", "Hòa Bình", "Tân Lập", "Phú Thọ", "Đông Hải", "Thạnh Mỹ"]),
            ("Tây Giang", ["Tây Sơn", "Bình An", "Long Hưng", "Mỹ Lộc"]),
        ]
    ):
        key = "vn_dong" if d == 0 else "vn_tay"
        t.add(
            key,
            "vn_province",
            Kind.DISTRICT,
            f"Huyện {district}",
            official_code=f"VN-D01-{d + 1:02d}",
        )
        t.add(
            f"{key}_committee",
            key,
            Kind.STEERING_COMMITTEE,
            f"Ban Chỉ đạo vận động hiến máu tình nguyện huyện {district}",
        )
        for c, commune in enumerate(communes):
            t.add(
                f"{key}_c{c}",
                key,
                Kind.COMMUNE,
                f"Xã {commune}",
                official_code=f"VN-D01-{d + 1:02d}-{c + 1:02d}",
            )
            t.add(f"{key}_c{c}_party", f"{key}_c{c}", Kind.PARTY_BRANCH, f"Chi bộ xã {commune}")
        t.add(f"{key}_school", key, Kind.SCHOOL, f"Trường THPT {district}")
        t.add(f"{key}_youth", key, Kind.YOUTH_UNION, f"Huyện đoàn {district}")
        t.add(f"{key}_redcross", key, Kind.RED_CROSS, f"Hội Chữ thập đỏ huyện {district}")
        t.add(f"{key}_military", key, Kind.ARMED_FORCES, f"Ban Chỉ huy Quân sự huyện {district}")
        t.add(f"{key}_health", key, Kind.HOSPITAL, f"Trung tâm Y tế huyện {district}")
    t.add(
        "vn_garment",
        "vn_dong",
        Kind.ENTERPRISE,
        "Công ty TNHH May mặc Đông Giang",
        official_code="VN-MST-0100000001",
        name_translations={"en": "Dong Giang Garment Co., Ltd."},
    )
    t.add(
        "vn_garment_union",
        "vn_garment",
        Kind.TRADE_UNION,
        "Công đoàn Công ty TNHH May mặc Đông Giang",
    )
    t.add(
        "vn_seafood",
        "vn_dong_c0",
        Kind.ENTERPRISE,
        "Công ty Cổ phần Chế biến Thủy sản An Phú",
        official_code="VN-MST-0100000002",
    )
    t.add(
        "vn_coop",
        "vn_tay",
        Kind.ENTERPRISE,
        "Hợp tác xã Nông nghiệp Tây Giang",
        official_code="VN-MST-0100000003",
    )
    t.add("vn_university", "vn_province", Kind.SCHOOL, "Trường Đại học Bình Minh")
    t.add(
        "vn_station",
        "vn_tay",
        Kind.BLOOD_STATION,
        "Trạm Truyền máu Tây Giang",
        name_translations={
            "en": "Tay Giang Blood Transfusion Station",
            "zh-hans": "西江输血站",
            "zh-hant": "西江輸血站",
            "fr": "Poste de transfusion sanguine de Tay Giang",
            "es": "Puesto de Transfusión Sanguínea de Tay Giang",
        },
        **vn_rules,
    )


def _china(t: _Tree) -> None:
    cn_tz = {"time_zone": "Asia/Shanghai"}
    cn_rules = {**cn_tz, "jurisdiction": "CN-GB18467-2011"}
    t.add(
        "cn",
        None,
        Kind.COUNTRY,
        "中国",
        official_code="CN",
        name_translations={
            "en": "China",
            "vi": "Trung Quốc",
            "zh-hant": "中國",
            "fr": "Chine",
            "es": "China",
        },
        **cn_tz,
    )
    t.add(
        "cn_province",
        "cn",
        Kind.PROVINCE,
        "岭南省",
        official_code="CN-D90",
        name_translations={"en": "Lingnan Province", "zh-hant": "嶺南省", "vi": "Tỉnh Lĩnh Nam"},
    )
    t.add(
        "cn_centre",
        "cn_province",
        Kind.BLOOD_CENTRE,
        "岭南省血液中心",
        official_code="CN-BC-D90",
        name_translations={
            "en": "Lingnan Blood Centre",
            "zh-hant": "嶺南省血液中心",
            "vi": "Trung tâm Máu tỉnh Lĩnh Nam",
            "fr": "Centre du sang de Lingnan",
            "es": "Centro de Sangre de Lingnan",
        },
        **cn_rules,
    )
    t.add(
        "cn_district",
        "cn_province",
        Kind.DISTRICT,
        "翠园区",
        official_code="CN-D90-01",
        name_translations={"en": "Cuiyuan District", "zh-hant": "翠園區", "vi": "Quận Thúy Viên"},
    )
    t.add(
        "cn_district_committee",
        "cn_district",
        Kind.STEERING_COMMITTEE,
        "翠园区无偿献血领导小组",
        name_translations={"zh-hant": "翠園區無償獻血領導小組"},
    )
    t.add(
        "cn_station",
        "cn_district",
        Kind.BLOOD_STATION,
        "翠园区中心血站",
        name_translations={
            "en": "Cuiyuan District Central Blood Station",
            "zh-hant": "翠園區中心血站",
            "vi": "Trạm Máu trung tâm quận Thúy Viên",
            "fr": "Poste central du sang du district de Cuiyuan",
            "es": "Banco de Sangre Central del distrito de Cuiyuan",
        },
        **cn_rules,
    )
    t.add(
        "cn_hospital",
        "cn_district",
        Kind.HOSPITAL,
        "翠园区人民医院",
        name_translations={
            "en": "Cuiyuan District People's Hospital",
            "zh-hant": "翠園區人民醫院",
            "vi": "Bệnh viện Nhân dân quận Thúy Viên",
            "fr": "Hôpital populaire du district de Cuiyuan",
            "es": "Hospital Popular del distrito de Cuiyuan",
        },
    )
    t.add(
        "cn_hospital_bank",
        "cn_hospital",
        Kind.HOSPITAL_BLOOD_BANK,
        "翠园区人民医院输血科",
        name_translations={
            "en": "Transfusion Department, Cuiyuan District People's Hospital",
            "zh-hant": "翠園區人民醫院輸血科",
            "vi": "Khoa Truyền máu, Bệnh viện Nhân dân quận Thúy Viên",
            "fr": "Service de transfusion, Hôpital populaire du district de Cuiyuan",
            "es": "Servicio de Transfusión, Hospital Popular del distrito de Cuiyuan",
        },
        **cn_rules,
    )
    for s, street in enumerate(["水贝街道", "翠竹街道", "东湖街道"]):
        t.add(
            f"cn_street{s}",
            "cn_district",
            Kind.WARD,
            street,
            official_code=f"CN-D90-01-{s + 1:02d}",
        )
    t.add("cn_park", "cn_street0", Kind.CLUB, "翠园珠宝产业园企业联合会")
    for e, firm in enumerate(
        [
            "翠园珠宝首饰有限公司",
            "金福黄金珠宝有限公司",
            "恒美钻石加工厂",
            "宝丽玉器有限公司",
            "祥瑞珠宝设计有限公司",
        ]
    ):
        t.add(
            f"cn_firm{e}",
            "cn_street0",
            Kind.ENTERPRISE,
            firm,
            official_code=f"CN-USCC-91440300{e:010d}",
        )
    t.add("cn_school", "cn_street1", Kind.SCHOOL, "翠园区职业技术学校")
    t.add("cn_agency", "cn_district", Kind.STATE_AGENCY, "翠园区卫生健康局")


@dataclass
class Demo:
    created: bool
    nodes: dict[str, Organisation]
    accounts: list[tuple[Persona, User]]


@transaction.atomic
def seed(today: dt.date | None = None, with_programmes: bool = False) -> Demo:
    """Load the demo once. Running it again changes nothing and lists the logins."""
    # The demo's drives are dated in Vietnam's calendar, where its blood centre collects (a
    # UTC date is already yesterday there from 17:00 UTC on).
    today = today or timezone.localdate(timezone=ZoneInfo("Asia/Ho_Chi_Minh"))
    if Organisation.objects.filter(kind=Kind.COUNTRY, official_code=MARKER_CODE).exists():
        users = {
            u.username: u for u in User.objects.filter(username__in=[p.username for p in PERSONAS])
        }
        return Demo(False, {}, [(p, users[p.username]) for p in PERSONAS if p.username in users])
    rng = random.Random(276)  # plan No. 276 — fixed, so every demo looks the same
    tree = _Tree()
    _vietnam(tree)
    _china(tree)
    accounts = []
    for persona in PERSONAS:
        user = User.objects.create_user(
            username=persona.username,
            password=DEMO_PASSWORD,
            full_name=_person_name(rng, persona.country),
            preferred_language="zh-hans" if persona.country == "CN" else "vi",
        )
        actions.add_membership(
            by=system_actor(),
            user=user,
            organisation=tree.nodes[persona.where],
            role=persona.role,
            valid_from=today.replace(month=1, day=1),
        )
        accounts.append((persona, user))
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser(
            username="admin", email="", password=DEMO_PASSWORD, full_name="Platform administrator"
        )
    if with_programmes:
        from bloodline.demo.programmes import seed_programmes

        seed_programmes(tree.nodes, {u.username: u for _p, u in accounts}, today, rng)
    return Demo(True, tree.nodes, accounts)
