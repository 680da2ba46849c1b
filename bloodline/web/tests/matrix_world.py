"""The shared data set of the permission matrix: the demo programme (Vietnamese and Chinese
trees) plus the Chinese counterparts the demo does not make, and the personas that knock.

Every object kind a URL or API path names has a Vietnamese object ("inside" for the
Vietnamese personas) and a Chinese one ("outside" for all of them). Built once per test module
and rolled back at the end (the ``world`` fixture in this folder's conftest.py).
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.collection import certificates
from bloodline.collection.models import Donation
from bloodline.collection.registry_import.importer import import_registry
from bloodline.demo.factories import collection
from bloodline.demo.factories import distribution as stock_factories
from bloodline.distribution import actions as distribution
from bloodline.distribution.models import Order, ShipmentItem
from bloodline.donors.models import Donor, DonorAccount
from bloodline.drives import board, registrations
from bloodline.drives.models import BoardLink, Drive, DriveRequest, Registration
from bloodline.inventory import supply
from bloodline.inventory.models import Component, LookbackHold, StorageLocation, Transfer
from bloodline.jobs.models import Task
from bloodline.lab.models import ImportBatch, NotificationTask, TestResult
from bloodline.organisations import actions as organisations
from bloodline.organisations.kinds import Kind
from bloodline.organisations.models import Membership, Organisation
from bloodline.organisations.roles import Role
from bloodline.portal.account_models import ErasureRequest
from bloodline.programmes.models import Plan
from bloodline.screening.models import Presentation

# The demo persona whose account plays each matrix persona (None: built here).
DEMO_ACCOUNT = {
    "committee": "district_committee",
    "establishment_admin": "establishment_admin",
    "drive_nurse": "drive_nurse",
    "physician": "physician",
    "lab_technician": "lab_technician",
    "inventory_clerk": "inventory_clerk",
    "hospital_user": "hospital_user",
    "superuser": "admin",
}

# A kind the data set has no object of on one side answers with an id nobody holds; the matrix
# then checks only that the endpoint refuses it. Listed so the gap is visible, not silent.
NEVER_BUILT = frozenset(
    {
        ("request", "cn"),  # the demo's only drive request is Vietnamese
        ("presentation", "vn"),  # nobody has checked in at a demo drive yet
        ("presentation", "cn"),
        ("notification", "cn"),  # look-back only in the Vietnamese centre
        ("hold", "cn"),
        ("transfer", "vn"),  # the demo sends no transfers
        ("transfer", "cn"),
        ("shipment_item", "cn"),  # the Chinese order is placed, not shipped
    }
)


@dataclass
class World:
    users: dict[str, User]
    # (kind, side) -> the value that goes into the URL
    keys: dict[tuple[str, str], str] = field(default_factory=dict)
    # (persona, side) -> the organisation standing for "their organisation"
    homes: dict[tuple[str, str], str] = field(default_factory=dict)
    # persona -> session key, signed in once for the module
    sessions: dict[str, str] = field(default_factory=dict)

    def key(self, kind: str, side: str, persona: str) -> str:
        if kind == "organisation":
            return self.homes.get((persona, side)) or self.keys[("organisation", side)]
        if kind == "task":  # owner-only: "inside" is the persona's own task
            return self.keys.get((f"task:{persona}", side)) or self.keys[("task", "cn")]
        return self.keys[(kind, side)]


def _uuid(obj: Any) -> str:
    return str(obj.uuid)


def _chinese_stock(nodes: dict[str, Organisation]) -> tuple[Donation, list[Component], Order]:
    """A Chinese donation taken through the lab into stock, and a Chinese hospital's order."""
    centre = nodes["cn_centre"]
    admin = User.objects.get(username="cn_establishment_admin")
    donor = Donor.objects.filter(affiliation__path__startswith=nodes["cn"].path).first()
    assert donor is not None
    donation = collection.donations(
        [donor],
        credited_to=nodes["cn_firm0"],
        establishment=centre,
        at=timezone.now() - dt.timedelta(hours=3),
    )[0]
    made = stock_factories.stocked(donation, lab=admin, clerk=admin, abo="A", rhd="pos")
    orderer = User.objects.create_user(username="cn_hospital_user", full_name="赵敏")
    organisations.add_membership(
        by=system_actor(),
        user=orderer,
        organisation=nodes["cn_hospital_bank"],
        role=Role.HOSPITAL_USER,
        valid_from=timezone.localdate().replace(month=1, day=1),
    )
    order = distribution.place_order(
        by=orderer,
        hospital=nodes["cn_hospital_bank"],
        supplier=centre,
        urgency="routine",
        needed_by=timezone.now() + dt.timedelta(days=1),
        lines=[distribution.LineRequest(made[0].component_code, "A", "pos", 1)],
    )
    return donation, made, order


def _chinese_registration(nodes: dict[str, Organisation], cn_drive: Drive) -> Registration:
    slot = cn_drive.slots.order_by("starts_at").first()
    donor = Donor.objects.filter(affiliation__path__startswith=nodes["cn"].path).last()
    assert slot is not None and donor is not None
    return registrations.register(
        by=system_actor(), drive=cn_drive, slot=slot, donor=donor, mobilised_by=nodes["cn_park"]
    )


def _registry_import(centre: Organisation) -> Any:
    """A small legacy registry imported into ``centre`` (one donor, no donation)."""
    rows = [(2, {"legacy_id": "M1", "full_name": "Matrix Legacy Donor"})]
    outcome = import_registry(
        by=system_actor(), establishment=centre, rows=rows, source="matrix", file_name="m.csv"
    )
    return outcome.run


def _finished_task(owner: User) -> Task:
    """A task that ran to a file, owned by ``owner`` (decision 0044)."""
    now = timezone.now()
    return Task.objects.create(
        kind="matrix",
        owner=owner,
        status=Task.Status.DONE,
        started_at=now,
        finished_at=now,
        output=b"%PDF-",
        output_name="labels.pdf",
        output_type="application/pdf",
    )


def _donor_account(donor: Donor) -> User:
    user = User(username="matrix_donor", full_name="Người Hiến")
    user.set_unusable_password()
    user.save()
    DonorAccount.objects.create(user=user, donor=donor, claimed_at=timezone.now())
    return user


def _nodes() -> dict[str, Organisation]:
    found = {
        "vn": Organisation.objects.get(kind=Kind.COUNTRY, official_code="VN"),
        "cn": Organisation.objects.get(kind=Kind.COUNTRY, official_code="CN"),
    }
    for key, code in [("vn_centre", "VN-BC-D01"), ("cn_centre", "CN-BC-D90")]:
        found[key] = Organisation.objects.get(official_code=code)
    for key, name in [
        ("cn_park", "翠园珠宝产业园企业联合会"),
        ("cn_hospital_bank", "翠园区人民医院输血科"),
        ("cn_firm0", "翠园珠宝首饰有限公司"),
    ]:
        found[key] = Organisation.objects.get(name=name)
    return found


def build() -> World:
    """Seed the demo, add what the Chinese side lacks, and collect one key per kind and side."""
    call_command("seed_demo", stdout=io.StringIO())
    nodes = _nodes()
    vn, cn = nodes["vn"].path, nodes["cn"].path
    users = {name: User.objects.get(username=demo) for name, demo in DEMO_ACCOUNT.items()}
    users["outsider"] = User.objects.create_user(username="outsider", full_name="Người Ngoài")
    users["inactive_superuser"] = User.objects.create_superuser(
        username="retired_admin", email="", password=None, full_name="Retired administrator"
    )
    users["inactive_superuser"].is_active = False
    users["inactive_superuser"].save(update_fields=["is_active"])
    # The cross-country pair (decision 0030): Chinese staff, knocking on Vietnamese objects.
    users["cn_establishment_admin"] = User.objects.get(username="cn_establishment_admin")
    users["cn_drive_nurse"] = User.objects.create_user(username="cn_drive_nurse", full_name="李静")
    organisations.add_membership(
        by=system_actor(),
        user=users["cn_drive_nurse"],
        organisation=nodes["cn_centre"],
        role=Role.DRIVE_NURSE,
        valid_from=timezone.localdate().replace(month=1, day=1),
    )

    cn_drive = Drive.objects.get(establishment=nodes["cn_centre"])
    vn_drive = (
        Drive.objects.filter(establishment=nodes["vn_centre"], registrations__isnull=False)
        .distinct()
        .order_by("-starts_on")
        .first()
    )
    assert vn_drive is not None
    cn_donation, cn_components, cn_order = _chinese_stock(nodes)
    cn_registration = _chinese_registration(nodes, cn_drive)
    for drive in (vn_drive, cn_drive):
        board.share_board(by=system_actor(), drive=drive)

    world = World(users=users)
    k = world.keys
    k[("organisation", "vn")], k[("organisation", "cn")] = (
        _uuid(nodes["vn_centre"]),
        _uuid(nodes["cn_centre"]),
    )
    for persona, user in users.items():
        membership = Membership.objects.filter(user=user).select_related("organisation").first()
        if membership is not None and not persona.startswith("cn_"):
            world.homes[(persona, "vn")] = _uuid(membership.organisation)
    k[("code", "vn")], k[("code", "cn")] = "VN-TT26-2013", "CN-GB18467-2011"
    for side, path in (("vn", vn), ("cn", cn)):
        plan = Plan.objects.get(issuer__path__startswith=path)
        k[("plan", side)] = _uuid(plan)
        k[("node", side)] = _uuid(plan.area)
        k[("issuer", side)] = _uuid(plan.issuer)
    k[("drive", "vn")], k[("drive", "cn")] = _uuid(vn_drive), _uuid(cn_drive)
    for side, drive in (("vn", vn_drive), ("cn", cn_drive)):
        k[("slot", side)] = drive.slots.order_by("starts_at").first().starts_at.isoformat()
    k[("unit", "vn")] = _uuid(Organisation.objects.get(official_code="VN-MST-0100000001"))
    k[("unit", "cn")] = _uuid(nodes["cn_firm0"])
    k[("registration", "vn")] = _uuid(vn_drive.registrations.order_by("pk").first())
    k[("registration", "cn")] = _uuid(cn_registration)
    k[("board", "vn")] = BoardLink.objects.get(drive=vn_drive).token
    k[("board", "cn")] = BoardLink.objects.get(drive=cn_drive).token
    k[("request", "vn")] = _uuid(DriveRequest.objects.get(establishment__path__startswith=vn))
    k[("slug", "vn")] = k[("slug", "cn")] = "checkin"
    k[("language", "vn")] = k[("language", "cn")] = "en"
    k[("step", "vn")] = k[("step", "cn")] = "issue"
    # Which message template an edit page opens (decision 0053): the same on both sides.
    for side in ("vn", "cn"):
        k[("event", side)], k[("lang", side)], k[("channel", side)] = "thank_you", "vi", "sms"
    k[("queue_step", "vn")] = k[("queue_step", "cn")] = "vitals"

    vn_donor = Donor.objects.filter(affiliation__path__startswith=vn).order_by("pk")
    cn_donor = Donor.objects.filter(affiliation__path__startswith=cn).order_by("pk")
    k[("donor", "vn")], k[("duplicate", "vn")] = (_uuid(d) for d in vn_donor[:2])
    k[("donor", "cn")], k[("duplicate", "cn")] = (_uuid(d) for d in cn_donor[:2])
    # Each side's donor holds a donor card, so the card's PDF can be asked for (decision 0054).
    Donor.objects.filter(uuid__in=[k[("donor", "vn")], k[("donor", "cn")]]).update(
        card_generation=1
    )
    # Each side's donor asked for erasure from the portal (decision 0056).
    for side in ("vn", "cn"):
        asked = ErasureRequest.objects.create(
            donor=Donor.objects.get(uuid=k[("donor", side)]),
            requested_by=system_actor(),
            requested_at=timezone.now(),
        )
        k[("erasure_request", side)] = _uuid(asked)

    vn_result = TestResult.objects.filter(sample__establishment=nodes["vn_centre"]).first()
    cn_result = TestResult.objects.filter(sample__donation=cn_donation).first()
    assert vn_result is not None and cn_result is not None
    k[("din", "vn")] = vn_result.sample.donation.din
    # The donor persona (decision 0056): an account with no membership, holding the record
    # of the Vietnamese donation above (so "din" names one of its own donations inside).
    users["donor"] = _donor_account(vn_result.sample.donation.donor)
    k[("din", "cn")] = cn_donation.din
    for side, certified in (("vn", vn_result.sample.donation), ("cn", cn_donation)):
        k[("certificate", side)] = certificates.token_for(certified)
    k[("result", "vn")], k[("result", "cn")] = _uuid(vn_result), _uuid(cn_result)
    for side, centre in (("vn", nodes["vn_centre"]), ("cn", nodes["cn_centre"])):
        k[("centre", side)] = _uuid(centre)
        supply.check(centre)  # each centre's levels, so the public supply page shows it
        k[("batch", side)] = _uuid(ImportBatch.objects.filter(establishment=centre).first())
        k[("registry_import", side)] = _uuid(_registry_import(centre))
        k[("location", side)] = _uuid(StorageLocation.objects.filter(establishment=centre).first())
    k[("notification", "vn")] = _uuid(NotificationTask.objects.first())
    k[("hold", "vn")] = _uuid(LookbackHold.objects.first())
    k[("component", "vn")] = _uuid(
        Component.objects.filter(establishment=nodes["vn_centre"]).order_by("pk").first()
    )
    k[("component", "cn")] = _uuid(cn_components[0])
    k[("order", "vn")] = _uuid(Order.objects.filter(supplier=nodes["vn_centre"]).first())
    k[("order", "cn")] = _uuid(cn_order)
    k[("hospital", "vn")] = _uuid(Order.objects.get(uuid=k[("order", "vn")]).hospital)
    k[("hospital", "cn")] = _uuid(cn_order.hospital)
    k[("line", "vn")] = k[("line", "cn")] = "1"
    item = ShipmentItem.objects.select_related("component").first()
    assert item is not None
    k[("shipment_item", "vn")] = _uuid(item.component)
    assert not Presentation.objects.exists() and not Transfer.objects.exists()
    for persona, user in users.items():
        k[(f"task:{persona}", "vn")] = _uuid(_finished_task(user))
    k[("task", "cn")] = _uuid(_finished_task(users["cn_establishment_admin"]))
    for kind, side in NEVER_BUILT:
        k[(kind, side)] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"bloodline-matrix-{kind}-{side}"))
    return world
