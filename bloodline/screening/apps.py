from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "bloodline.screening"
    label = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        # Deferral reasons named by their question wherever they are shown (decision 0026).
        from bloodline.jurisdictions.reasons import register_question_wording
        from bloodline.screening.reasons import question_label

        register_question_wording(question_label)
        # A moved organisation takes its presentations along in the tree's tally (0049).
        from bloodline.organisations import tally
        from bloodline.screening import summaries

        tally.register_source(summaries.own_rows)
        # "You can give again" is scheduled by the worker after donations and deferrals.
        from bloodline.screening import eligible_again

        eligible_again.register()
        # Answers given at home are deleted when the donor's details are erased (0058).
        from bloodline.donors.erasure import register_eraser
        from bloodline.screening.prescreen import erase_answers

        register_eraser(erase_answers)
