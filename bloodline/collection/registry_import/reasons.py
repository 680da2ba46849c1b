"""Why a row was refused, in words: the one table from a stored reason code to its sentence in
the reader's language. A run keeps codes and parameters, never sentences (decision 0026).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

REASONS = {
    "missing": _("The column %(column)s is empty."),
    "too_long": _("The column %(column)s is longer than %(n)s characters."),
    "bad_date": _("The column %(column)s is not a date: write YYYY-MM-DD or DD/MM/YYYY."),
    "future_date": _("The column %(column)s is a date in the future."),
    "bad_sex": _("The sex cannot be read: write M or F."),
    "bad_blood_group": _("The blood group cannot be read: write it as A+, O-, AB+ or B-."),
    "bad_phone": _("The phone number cannot be read."),
    "bad_document_kind": _("The kind of identity document is not one the registry knows."),
    "bad_document": _("The identity document is not valid: %(detail)s"),
    "unknown_code": _("No organisation in this country has the code %(code)s."),
    "bad_type": _("The donation type cannot be read."),
    "bad_volume": _("The column %(column)s must be a whole number of millilitres above 0."),
    "bad_outcome": _("The outcome cannot be read: write complete or incomplete."),
    "bad_incomplete_reason": _("The reason the collection is incomplete cannot be read."),
    "bad_din": _("The DIN is not a valid ISBT 128 donation number: %(detail)s"),
    "unknown_donor": _(
        "No donor with this legacy id is in the file above this line or was imported before "
        "from the same system."
    ),
    "donor_refused": _("The donor of this row was refused on line %(line)s."),
    "conflicting_donor": _("The donor's details differ from line %(line)s, same legacy id."),
    "same_number_in_file": _("Line %(line)s has the same identity number for another donor."),
    "same_number_in_registry": _(
        "A person with this identity number is already in the registry: not imported, never merged."
    ),
    "same_person_in_registry": _(
        "A person with the same name and phone is already in the registry: not imported, "
        "never merged."
    ),
    "same_person_in_file": _("Line %(line)s has the same name and phone for another donor."),
    "same_donation_in_file": _("Line %(line)s holds the same donation."),
    "din_taken": _("This DIN is already on record for another donor."),
}


def describe(code: str, params: dict[str, Any]) -> str:
    """The sentence for a stored reason, in the active language."""
    return str(REASONS[code]) % params if params else str(REASONS[code])
