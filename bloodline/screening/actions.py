"""The writes of the donation-day stations, one transaction each with its audit event.

Pages and tests import them from here; they live by concept in ``checkin.py``,
``assessment.py`` (questionnaire, vital signs, physician) and ``phlebotomy.py`` (collection,
post-donation care).
"""

from __future__ import annotations

from bloodline.collection.actions import Reaction
from bloodline.screening.assessment import physician_decide, record_answers, record_vitals
from bloodline.screening.checkin import CheckIn, check_in
from bloodline.screening.phlebotomy import collect, post_care

__all__ = [
    "CheckIn",
    "Reaction",
    "check_in",
    "collect",
    "physician_decide",
    "post_care",
    "record_answers",
    "record_vitals",
]
