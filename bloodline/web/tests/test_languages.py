"""Six languages: pages, errors, saved preferences, and complete catalogues."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from bloodline.accounts.models import User
from bloodline.audit.models import AuditEvent
from bloodline.lib.catalogues import catalogue_paths, problems

LANGS = [code for code, _name in settings.LANGUAGES]
HEADING = "Voluntary blood donation, end to end"
SAME_IN = {
    "fr": {
        "WeChat",
        "cause",
        "Cause",
        "message",
        "messages",
        "Message",
        "action",
        "version",
        "Versions",
        "Source",
        "Code",
        "District",
        "Commune",
        "organisation",
        "organisations",
        "Organisation",
        "Organisations",
        "Latitude",
        "Longitude",
        "latitude",
        "longitude",
        "Date",
        "Actions",
        "Programmes",
        "millilitres",
        "plan",
        "plans",
        "Plans",
        "Distribution",
        "granulocytes",
        "description",
        "division",
        "Division",
        "volume (mL)",
        "plasma",
        "Action",
        "Correction",
        "lot %(lot)s",
        "questionnaire",
        "syphilis",
    },
    "es": {"Hospital", "plan", "No", "no", "hospital", "plasma", "malaria", "WeChat"},
    # Vietnamese writes both as in English (the chat app's name; "email" as used daily).
    "vi": {"WeChat", "Email"},
}
# Placeholders, units and symbols that read the same in every language (the list separator is
# ", " in Latin-script languages; Chinese translates it as "、").
SAME_EVERYWHERE = {
    "Bloodline",
    # Names of a format and of a chat app, and a line made only of placeholders.
    "PDF",
    "Zalo",
    "%(event)s — %(channel)s — %(language)s",
    "%(abo)s %(rhd)s",
    "%(volume)s mL",
    "RhD",
    ", ",
    # Units of measurement on the donor's record (decision 0056): symbols, not words.
    "%(ml)s mL",
    "%(hb)s g/L",
    "%(s)s/%(d)s mmHg",
    "%(kg)s kg",
    "%(c)s °C",
}


def translated(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.parametrize("language", LANGS)
def test_the_front_page_answers_in_each_language(client, db, language):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<html lang="{language}"' in page
    heading = translated(language, HEADING)
    assert heading in page
    if language != "en":
        assert heading != HEADING


@pytest.mark.parametrize(
    "locale_path", catalogue_paths(settings.LOCALE_PATHS[0]), ids=lambda p: p.parent.parent.name
)
def test_each_catalogue_is_complete_and_keeps_its_placeholders(locale_path):
    assert problems(locale_path) == []


@pytest.mark.parametrize("language", ["vi", "zh-hans", "zh-hant", "fr", "es"])
def test_translations_are_not_copies_of_the_english(language):
    import polib

    folder = translation.to_locale(language)
    po = polib.pofile(str(settings.LOCALE_PATHS[0] / folder / "LC_MESSAGES" / "django.po"))
    # Names, and words spelt the same in the target language, are legitimately identical.
    same = SAME_EVERYWHERE | SAME_IN.get(language, set())
    copies = [e.msgid for e in po if e.msgstr == e.msgid and e.msgid not in same]
    assert copies == []


def test_switching_language_saves_the_preference_and_is_audited(demo, login):
    client = login("province_committee")
    response = client.post("/language/", {"language": "fr", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert User.objects.get(username="province_committee").preferred_language == "fr"
    assert AuditEvent.objects.filter(action="user.set_language").count() == 1
    assert translated("fr", "Your roles") in client.get("/").content.decode()


def test_a_saved_preference_applies_at_the_next_sign_in(demo, login):
    # The demo gives Vietnamese personas Vietnamese; no cookie has been set yet.
    page = login("district_committee").get("/").content.decode()
    assert '<html lang="vi"' in page


def test_an_unknown_language_is_refused_with_a_translated_message(demo, login):
    client = login("province_committee", HTTP_ACCEPT_LANGUAGE="es")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.post("/language/", {"language": "xx", "next": "/"})
    assert response.status_code == 400
    expected = translated("es", "“%(value)s” is not one of the languages Bloodline speaks.")
    assert expected % {"value": "xx"} in response.content.decode()
    assert User.objects.get(username="province_committee").preferred_language == "vi"
    assert not AuditEvent.objects.filter(action="user.set_language").exists()


def test_the_api_refuses_an_unknown_language_in_the_request_language(demo, login):
    client = login("province_committee")
    response = client.patch(
        "/api/v1/me",
        {"preferred_language": "klingon"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 422
    message = response.json()["detail"][0]["msg"]
    assert message == translated(
        "zh-hans", "“%(code)s” is not one of the languages Bloodline speaks."
    ) % {"code": "klingon"}


@pytest.mark.parametrize(
    ("language", "number"),
    [
        ("en", "1,234,567"),
        ("vi", "1.234.567"),
        ("zh-hans", "1,234,567"),
        ("zh-hant", "1,234,567"),
        ("fr", "1\u00a0234\u00a0567"),
        ("es", "1\u00a0234\u00a0567"),
    ],
)
def test_numbers_are_shown_in_the_readers_convention(language, number):
    from django.utils import formats

    formats.reset_format_cache()
    with translation.override(language):
        rendered = Template("{% load l10n %}{{ n|localize }}").render(Context({"n": 1234567}))
    assert rendered == number


def test_times_are_shown_in_the_establishment_time_zone(demo, login):
    assert "Asia/Ho_Chi_Minh" in login("drive_nurse").get("/").content.decode()
    assert "Asia/Shanghai" in login("cn_establishment_admin").get("/").content.decode()


@pytest.mark.parametrize("language", LANGS)
def test_the_configuration_site_is_translated(demo, login, language):
    client = login("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/admin/").content.decode()
    assert translated(language, "Organisations") in page
