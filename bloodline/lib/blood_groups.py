"""How a blood group is shown: the one place that turns the stored ``abo`` and ``rhd`` codes
(``A``/``B``/``AB``/``O`` and ``pos``/``neg``) into words (decision 0027).

Two forms, both in the reader's language:
- short, as people write it on a bag or an order (``A−``, ``O+``; the true minus sign U+2212);
- long, in words (``A RhD-negative``), for sentences, screen readers and donor pages.

A part that is not known yet shows as ``?`` in the short form and in words in the long one;
a group with neither part known is the empty string, so a template's ``|default`` can say
what to show instead.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ABO_GROUPS = ("O", "A", "B", "AB")
RHD_TYPES = ("pos", "neg")
# The RhD sign table: the only one in the code base.
RHD_SIGNS = {"pos": "+", "neg": "\u2212"}
RHD_WORDS = {"pos": _("RhD-positive"), "neg": _("RhD-negative")}


def blood_group(abo: str, rhd: str, *, short: bool = True) -> str:
    """The group in the reader's language: ``A−`` (short) or ``A RhD-negative`` (long)."""
    abo = abo if abo in ABO_GROUPS else ""
    rhd = rhd if rhd in RHD_TYPES else ""
    if not abo and not rhd:
        return ""
    if short:
        return (abo or "?") + RHD_SIGNS.get(rhd, "?")
    words = RHD_WORDS.get(rhd, _("RhD unknown"))
    if not abo:
        return str(_("ABO unknown, %(rhd)s") % {"rhd": words})
    return str(_("%(abo)s %(rhd)s") % {"abo": abo, "rhd": words})


def blood_group_long(abo: str, rhd: str) -> str:
    return blood_group(abo, rhd, short=False)


def group_order(abo: str, rhd: str) -> tuple[int, int]:
    """Sort key: O, A, B, AB, then positive before negative; unknown parts last."""
    return (
        ABO_GROUPS.index(abo) if abo in ABO_GROUPS else 9,
        RHD_TYPES.index(rhd) if rhd in RHD_TYPES else 9,
    )
