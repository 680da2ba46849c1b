"""Entering, verifying, correcting and importing test results (safety.md §3 two-person check,
§5 South Florida 1999 and South Texas 2003; components.md §6 China's panel)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bloodline.accounts.models import User
from bloodline.accounts.system import system_actor
from bloodline.audit.models import AuditEvent
from bloodline.collection.models import Donation
from bloodline.demo.factories import collection
from bloodline.demo.factories import distribution as factories
from bloodline.inventory import actions as inventory
from bloodline.inventory.models import Component, UnsafeDonation
from bloodline.jurisdictions.loader import registry
from bloodline.lab import actions as lab
from bloodline.lab import imports, panel
from bloodline.lab.models import Sample, TestResult
from bloodline.organisations import actions as organisations
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Role

VOLUMES = {"red_cells_additive": 250, "plasma_fresh_frozen": 200}
NOT_BY_AUTHOR = "A result is verified by someone other than the person who entered it."


def sample_of(centre) -> Sample:
    donation = centre.donation()
    inventory.process_donation(
        by=centre.clerk, donation=donation, recipe="red_cells_plasma", volumes=VOLUMES
    )
    return lab.receive_sample(by=centre.lab, donation=donation)


def state(sample: Sample, code: str) -> panel.TestState:
    return next(t for t in panel.evaluate(sample).tests if t.code == code)


def enter(centre, sample: Sample, verify: bool = True, **values) -> TestResult:
    result = lab.record_result(by=centre.lab, sample=sample, **values)
    if verify:
        result = lab.verify_result(by=centre.second, result=result)
    return result


def enter_passing_panel(centre, sample: Sample, verify: bool) -> None:
    for row in factories.passing_rows(sample.donation, "O", "pos"):
        enter(centre, sample, verify, test=row["test"], reading=row["result"])


# Hand-entered results and the second person -------------------------------------------------


def test_a_result_typed_by_hand_does_not_count_until_verified(centre):
    sample = sample_of(centre)
    reactive = enter(centre, sample, verify=False, test="hiv", reading="reactive")
    assert not reactive.counts()
    assert state(sample, "hiv").state == "awaiting_verification"
    assert not UnsafeDonation.objects.filter(donation=sample.donation).exists()
    lab.verify_result(by=centre.second, result=reactive)
    assert state(sample, "hiv").state == "unacceptable"
    assert UnsafeDonation.objects.get(donation=sample.donation).evidence == str(reactive.uuid)


def test_a_panel_typed_by_hand_releases_nothing_until_a_second_person_verified_it(centre):
    sample = sample_of(centre)
    enter_passing_panel(centre, sample, verify=False)
    red = Component.objects.get(donation=sample.donation, component_kind="red_cells")
    with pytest.raises(ValidationError) as refused:
        lab.release(by=centre.lab, component=red)
    assert (
        "Test HIV marker: A result waits for a second person's verification."
        in refused.value.messages
    )
    for result in TestResult.objects.filter(sample=sample):
        lab.verify_result(by=centre.second, result=result)
    assert lab.release(by=centre.lab, component=red).released_by == centre.lab


def test_the_person_who_typed_a_result_cannot_verify_it(centre):
    sample = sample_of(centre)
    result = enter(centre, sample, verify=False, test="hbv", reading="non_reactive")
    with pytest.raises(ValidationError) as refused:
        lab.verify_result(by=centre.lab, result=result)
    assert refused.value.messages == [NOT_BY_AUTHOR]
    result.refresh_from_db()
    assert result.verified_at is None


def test_a_result_is_verified_once_and_an_import_needs_no_verification(centre):
    sample = sample_of(centre)
    result = enter(centre, sample, test="hbv", reading="non_reactive")
    with pytest.raises(ValidationError):
        lab.verify_result(by=centre.second, result=result)
    imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name="run.csv",
        content=factories.to_csv(
            [{"din": sample.donation.din, "test": "hcv", "result": "non_reactive"}]
        ),
    )
    imported = TestResult.objects.get(sample=sample, test="hcv")
    assert imported.counts()
    with pytest.raises(ValidationError):
        lab.verify_result(by=centre.second, result=imported)


# Corrections ----------------------------------------------------------------------------


def test_a_correction_needs_a_reason(centre):
    sample = sample_of(centre)
    result = enter(centre, sample, test="syphilis", reading="reactive")
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            lab.correct_result(by=centre.lab, result=result, reason=reason, reading="non_reactive")
        assert set(refused.value.message_dict) == {"reason"}
    assert TestResult.objects.filter(sample=sample).count() == 1


def test_a_correction_supersedes_the_result_but_an_unsafe_donation_stays_unsafe(centre):
    """A reactive result turned negative by hand (South Florida 1999) never re-admits the
    units: the correction is recorded beside the original, and the donation stays unsafe."""
    sample = sample_of(centre)
    enter_passing_panel(centre, sample, verify=True)
    reactive = enter(centre, sample, test="hbv", reading="reactive")
    fresh = lab.correct_result(
        by=centre.lab, result=reactive, reason="Wrong tube scanned", reading="non_reactive"
    )
    assert (fresh.corrects, fresh.correction_reason) == (reactive, "Wrong tube scanned")
    assert state(sample, "hbv").state == "awaiting_verification"
    lab.verify_result(by=centre.second, result=fresh)
    assert state(sample, "hbv").state == "acceptable"
    assert panel.current(sample.results.all()).count(reactive) == 0
    assert TestResult.objects.filter(pk=reactive.pk).exists()  # kept, never edited
    assert UnsafeDonation.objects.filter(donation=sample.donation).exists()
    red = Component.objects.get(donation=sample.donation, component_kind="red_cells")
    with pytest.raises(ValidationError) as refused:
        lab.release(by=centre.lab, component=red)
    assert "The donation was found unsafe." in refused.value.messages
    event = AuditEvent.objects.get(action="result.correct", object_id=str(fresh.uuid))
    assert event.reason == "Wrong tube scanned"
    assert event.changes == {"reading": ["reactive", "non_reactive"]}


def test_a_correction_to_a_failing_reading_makes_the_donation_unsafe_once_verified(centre):
    sample = sample_of(centre)
    passing = enter(centre, sample, test="hcv", reading="non_reactive")
    fresh = lab.correct_result(by=centre.lab, result=passing, reason="Re-read", reading="reactive")
    assert not UnsafeDonation.objects.filter(donation=sample.donation).exists()
    lab.verify_result(by=centre.second, result=fresh)
    assert UnsafeDonation.objects.filter(donation=sample.donation).exists()


def test_only_the_latest_result_of_a_chain_is_corrected_or_verified(centre):
    sample = sample_of(centre)
    first = enter(centre, sample, verify=False, test="hiv", reading="non_reactive")
    second = lab.correct_result(by=centre.lab, result=first, reason="Typo", reading="reactive")
    with pytest.raises(ValidationError):
        lab.correct_result(by=centre.lab, result=first, reason="Again", reading="non_reactive")
    with pytest.raises(ValidationError) as refused:
        lab.verify_result(by=centre.second, result=first)
    assert refused.value.messages == [
        "This result has been corrected; verify the correction instead."
    ]
    third = lab.correct_result(by=centre.lab, result=second, reason="Typo", reading="non_reactive")
    assert [r.pk for r in panel.current(sample.results.all())] == [third.pk]


# Stages and readings --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("earlier", "stage", "message"),
    [
        ([], "repeat", "A repeat result needs a reactive screening result first."),
        (
            [("screen", "non_reactive", True)],
            "repeat",
            "A repeat result needs a reactive screening result first.",
        ),
        (
            [("screen", "reactive", False)],  # typed, not verified: it does not count yet
            "repeat",
            "A repeat result needs a reactive screening result first.",
        ),
        ([], "confirmatory", "A confirmatory result needs a reactive repeat result first."),
        (
            [("screen", "reactive", True)],
            "confirmatory",
            "A confirmatory result needs a reactive repeat result first.",
        ),
        (
            [("screen", "reactive", True), ("repeat", "non_reactive", True)],
            "confirmatory",
            "A confirmatory result needs a reactive repeat result first.",
        ),
    ],
)
def test_each_later_stage_needs_a_reactive_result_of_the_stage_before(
    centre, earlier, stage, message
):
    sample = sample_of(centre)
    for earlier_stage, reading, verify in earlier:
        enter(centre, sample, verify, test="hiv", stage=earlier_stage, reading=reading)
    reading = "positive" if stage == "confirmatory" else "reactive"
    with pytest.raises(ValidationError) as refused:
        enter(centre, sample, test="hiv", stage=stage, reading=reading)
    assert refused.value.message_dict == {"stage": [message]}


def test_the_stages_follow_each_other(centre):
    sample = sample_of(centre)
    enter(centre, sample, test="hiv", stage="screen", reading="reactive")
    enter(centre, sample, test="hiv", stage="repeat", reading="reactive")
    confirmed = enter(centre, sample, test="hiv", stage="confirmatory", reading="positive")
    assert panel.evaluate(sample).confirmed_positive == [confirmed]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"test": "hiv", "reading": "positive"}, "reading"),  # not a screening reading
        ({"test": "abo", "reading": "non_reactive"}, "reading"),
        ({"test": "rhd", "reading": "A"}, "reading"),
        ({"test": "malaria_rdt", "reading": "negative"}, "test"),  # not on the panel
        ({"test": "hiv", "stage": "final", "reading": "reactive"}, "stage"),
        ({"test": "hiv", "reading": "non_reactive", "value": "3"}, "value"),
    ],
)
def test_a_reading_the_test_cannot_give_is_refused(centre, values, field):
    sample = sample_of(centre)
    with pytest.raises(ValidationError) as refused:
        lab.record_result(by=centre.lab, sample=sample, **values)
    assert set(refused.value.message_dict) == {field}
    assert not TestResult.objects.filter(sample=sample).exists()


def test_a_blood_group_is_not_repeated_like_an_infection_marker(centre):
    sample = sample_of(centre)
    enter(centre, sample, test="abo", reading="indeterminate")  # unacceptable: may go on
    with pytest.raises(ValidationError) as refused:
        lab.record_result(by=centre.lab, sample=sample, test="abo", stage="repeat", reading="A")
    assert refused.value.message_dict == {
        "reading": ["Only infection markers and antibody screens are repeated."]
    }


# China: ALT within its limit, serology twice with two manufacturers -------------------------


@dataclass
class ChinaLab:
    centre: Organisation
    first: User
    second: User

    def sample(self) -> Sample:
        donor = collection.donors(1, None, prefix="献血者")[0]
        [donation] = collection.donations(
            [donor],
            credited_to=self.centre,
            establishment=self.centre,
            at=timezone.now() - dt.timedelta(hours=2),
            volume_ml=400,
        )
        return lab.receive_sample(by=self.first, donation=donation)

    def enter(self, sample: Sample, verify: bool = True, **values) -> TestResult:
        result = lab.record_result(by=self.first, sample=sample, **values)
        return lab.verify_result(by=self.second, result=result) if verify else result


@pytest.fixture
def china(demo) -> ChinaLab:
    centre = demo.nodes["cn_centre"]
    factories.equip(centre)
    first = next(u for p, u in demo.accounts if p.username == "cn_establishment_admin")
    second = User.objects.create_user(username="cn_lab", password="x", full_name="检验员")
    organisations.add_membership(
        by=system_actor(),
        user=second,
        organisation=centre,
        role=Role.LAB_TECHNICIAN,
        valid_from=timezone.localdate() - dt.timedelta(days=1),
    )
    return ChinaLab(centre, first, second)


def alt_limit() -> Decimal:
    rules = registry.get("CN-GB18467-2011", timezone.localdate())
    alt = next(t for t in rules.test_panel if t.code == "alt")
    assert alt.max_u_l is not None
    return Decimal(str(alt.max_u_l.value))


@pytest.mark.parametrize(
    ("offset", "acceptable"),
    [(Decimal("-0.1"), True), (Decimal(0), True), (Decimal("0.1"), False)],
)
def test_alt_passes_up_to_its_limit_and_not_beyond(china, offset, acceptable):
    sample = china.sample()
    result = china.enter(sample, test="alt", value=str(alt_limit() + offset))
    assert (result.reading, result.acceptable) == ("value", acceptable)
    assert state(sample, "alt").state == ("acceptable" if acceptable else "unacceptable")
    assert UnsafeDonation.objects.filter(donation=sample.donation).exists() is not acceptable


def test_an_alt_value_typed_with_a_decimal_comma_is_read(china):
    sample = china.sample()
    assert china.enter(sample, test="alt", value="12,5").value == Decimal("12.5")


@pytest.mark.parametrize("value", ["", "abc", "-1", "NaN", "1e9"])
def test_an_alt_value_that_is_not_a_measurement_is_refused(china, value):
    sample = china.sample()
    with pytest.raises(ValidationError) as refused:
        lab.record_result(by=china.first, sample=sample, test="alt", value=value)
    assert set(refused.value.message_dict) <= {"value", "reading"}


def test_two_runs_with_one_manufacturer_do_not_pass_chinese_serology(china):
    sample = china.sample()
    for operator in ("检验员甲", "检验员乙"):
        china.enter(
            sample, test="hbsag", reading="non_reactive", manufacturer="Maker A", operator=operator
        )
    hbsag = state(sample, "hbsag")
    assert (hbsag.state, hbsag.runs) == ("pending", 1)
    assert hbsag.problem == "The runs need different reagent manufacturers and operators."
    china.enter(
        sample, test="hbsag", reading="non_reactive", manufacturer="Maker B", operator="检验员乙"
    )
    assert state(sample, "hbsag").state == "acceptable"


def test_two_runs_by_one_operator_do_not_pass_chinese_serology(china):
    sample = china.sample()
    for maker in ("Maker A", "Maker B"):
        china.enter(
            sample, test="anti_hcv", reading="non_reactive", manufacturer=maker, operator="检验员甲"
        )
    assert state(sample, "anti_hcv").state == "pending"


def test_the_manufacturer_names_are_compared_ignoring_case_and_spaces(china):
    sample = china.sample()
    china.enter(
        sample, test="hiv_ag_ab", reading="non_reactive", manufacturer="Maker A", operator="甲"
    )
    china.enter(
        sample, test="hiv_ag_ab", reading="non_reactive", manufacturer=" maker a ", operator="乙"
    )
    assert state(sample, "hiv_ag_ab").state == "pending"


def test_a_run_of_two_manufacturer_serology_must_name_its_manufacturer(china):
    sample = china.sample()
    with pytest.raises(ValidationError) as refused:
        lab.record_result(
            by=china.first, sample=sample, test="syphilis_anti_tp", reading="non_reactive"
        )
    assert set(refused.value.message_dict) == {"manufacturer"}


def test_a_passing_chinese_panel_releases_the_unit(china):
    sample = china.sample()
    donation = Donation.objects.get(pk=sample.donation_id)
    red, _plasma = inventory.process_donation(
        by=china.first, donation=donation, recipe="red_cells_plasma", volumes=VOLUMES
    )
    imports.import_results(
        by=china.first,
        establishment=china.centre,
        file_name="run.csv",
        content=factories.to_csv(factories.passing_rows(donation, "B", "pos")),
    )
    assert panel.evaluate(sample).complete
    assert lab.release(by=china.first, component=red).group() == "B+"


# Importing an analyser file -------------------------------------------------------------


def import_file(centre, rows, name="run.csv"):
    return imports.import_results(
        by=centre.lab,
        establishment=centre.centre,
        file_name=name,
        content=factories.to_csv(rows),
    )


def test_an_import_takes_the_valid_rows_and_refuses_the_others_with_their_reasons(centre):
    sample = sample_of(centre)
    din = sample.donation.din
    rows = [
        {"din": din, "test": "hiv", "result": "non_reactive", "result_id": "r1"},
        {"din": "G999926999999", "test": "hiv", "result": "non_reactive", "result_id": "r2"},
        {"din": "G9999", "test": "hiv", "result": "non_reactive", "result_id": "r3"},
        {"din": din, "test": "hiv", "result": "non_reactive", "result_id": "r1"},
        {"din": din, "test": "hbv", "result": "non_reactive", "result_id": "r4"},
        {"din": din, "test": "hcv", "result": "maybe", "result_id": "r5"},
        {"din": din, "test": "cmv", "result": "negative", "result_id": "r6"},
    ]
    batch = import_file(centre, rows)
    assert (batch.rows_taken, batch.rows_refused) == (2, 5)
    assert [(r["line"], r["error"]) for r in batch.refused] == [
        (3, "No donation with this DIN was collected by this establishment."),
        (4, "A DIN has 13 characters: facility code (5), year (2) and sequence (6)."),
        (5, "This row repeats an earlier row of the file."),
        (7, "“maybe” is not a possible result of this test."),
        (8, "This test is not on the sample's panel."),
    ]
    assert sorted(TestResult.objects.filter(sample=sample).values_list("test", flat=True)) == [
        "hbv",
        "hiv",
    ]


def test_a_result_id_imported_before_is_refused_in_a_later_file(centre):
    sample = sample_of(centre)
    row = {"din": sample.donation.din, "test": "hiv", "result": "non_reactive", "result_id": "A-1"}
    assert import_file(centre, [row], "monday.csv").rows_taken == 1
    again = import_file(centre, [row, {**row, "result_id": "A-2"}], "tuesday.csv")
    assert (again.rows_taken, again.rows_refused) == (1, 1)
    assert again.refused[0]["error"] == "This result was imported before (same result id)."
    assert TestResult.objects.filter(sample=sample).count() == 2


def test_a_row_of_another_establishments_donation_is_refused(centre, china):
    cn_sample = china.sample()
    batch = import_file(
        centre, [{"din": cn_sample.donation.din, "test": "hiv", "result": "non_reactive"}]
    )
    assert batch.rows_refused == 1 and not TestResult.objects.exists()


def test_a_scanned_din_with_its_flag_is_read_and_a_wrong_flag_refused(centre):
    from bloodline.lib import isbt128

    sample = sample_of(centre)
    din = sample.donation.din
    wrong = f"{60 + (isbt128.check_value(din) + 1) % 37}"
    batch = import_file(
        centre,
        [
            {"din": f"={din}{isbt128.type3_flag(din)}", "test": "hiv", "result": "non_reactive"},
            {"din": f"={din}{wrong}", "test": "hbv", "result": "non_reactive"},
        ],
    )
    assert (batch.rows_taken, batch.rows_refused) == (1, 1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("din,test\nG999926000001,hiv\n", "The file needs the columns result."),
        ("din,test,result\n", "The file has no result rows."),
    ],
)
def test_a_file_without_the_needed_columns_or_rows_is_refused_whole(centre, content, message):
    with pytest.raises(ValidationError) as refused:
        imports.import_results(
            by=centre.lab, establishment=centre.centre, file_name="bad.csv", content=content
        )
    assert refused.value.message_dict == {"file": [message]}
