"""The configuration report shows every rule a deployer must review, with its source."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("code", ["CN-GB18467-2011", "VN-TT26-2013", "WHO-2012", "EU-2004-33"])
def test_the_report_lists_haemoglobin_vitals_and_deferrals(demo, login, code):
    client = login("drive_nurse")
    client.cookies["django_language"] = "en"
    page = client.get(f"/rules/{code}/").content.decode()
    assert "Minimum haemoglobin, women (g/L)" in page
    assert "<code>tattoo</code>" in page
    assert "systolic_max" not in page  # labels, not field names


def test_the_chinese_report_shows_blood_pressure_limits(demo, login):
    client = login("drive_nurse")
    client.cookies["django_language"] = "en"
    page = client.get("/rules/CN-GB18467-2011/").content.decode()
    assert "Maximum systolic pressure (mmHg)" in page and "limit excluded" in page


@pytest.mark.parametrize("code", ["CN-GB18467-2011", "VN-TT26-2013", "EU-2004-33"])
def test_the_report_lists_components_tests_and_lookback(demo, login, code):
    client = login("drive_nurse")
    client.cookies["django_language"] = "en"
    page = client.get(f"/rules/{code}/").content.decode()
    assert "Blood components" in page and "<code>platelets_apheresis</code>" in page
    assert "Mandatory donation tests" in page and "Look-back window" in page


def test_china_runs_serology_with_two_manufacturers(demo, login):
    client = login("drive_nurse")
    client.cookies["django_language"] = "en"
    page = client.get("/rules/CN-GB18467-2011/").content.decode()
    assert "reagents from different manufacturers" in page
