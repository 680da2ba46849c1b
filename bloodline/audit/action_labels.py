"""What each recorded action is called in a history, in the reader's language.

Events store the action's code (``plan.issue``, ``component.release``…); the history page
shows these words instead (decision 0026). An action missing here reads as "Recorded change"
— never as its code — and a test lists the codes the actions write so that a new one is
named here when it is added.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ACTIONS = {
    "component.discard": gettext_lazy("Component discarded"),
    "component.expire": gettext_lazy("Component expired"),
    "component.hold": gettext_lazy("Component put on hold"),
    "component.label": gettext_lazy("Component labelled"),
    "component.move": gettext_lazy("Component moved"),
    "component.processing": gettext_lazy("Component processed"),
    "component.release": gettext_lazy("Component released"),
    "component.stock": gettext_lazy("Component taken into stock"),
    "component.transfer": gettext_lazy("Component transferred"),
    "component.unsafe": gettext_lazy("Component marked unsafe"),
    "din.preprint": gettext_lazy("Donation labels printed"),
    "din.void": gettext_lazy("Donation label voided"),
    "donation.adverse_reaction": gettext_lazy("Adverse reaction recorded"),
    "donation.process": gettext_lazy("Donation processed"),
    "donation.record": gettext_lazy("Donation recorded"),
    "donor.consent.give": gettext_lazy("Consent given"),
    "donor.consent.withdraw": gettext_lazy("Consent withdrawn"),
    "donor.create": gettext_lazy("Donor registered"),
    "donor.group_confirm": gettext_lazy("Blood group confirmed"),
    "donor.identity_document.add": gettext_lazy("Identity document added"),
    "donor.lookback": gettext_lazy("Look-back opened"),
    "donor.lookback_hold": gettext_lazy("Look-back hold placed"),
    "donor.lookback_hold_lift": gettext_lazy("Look-back hold lifted"),
    "donor.merge": gettext_lazy("Donor records merged"),
    "donor.merged_into": gettext_lazy("Merged into another donor record"),
    "donor.read": gettext_lazy("Donor record viewed"),
    "donor.update": gettext_lazy("Donor record changed"),
    "drive.board_revoke": gettext_lazy("Live board link withdrawn"),
    "drive.board_share": gettext_lazy("Live board link shared"),
    "drive.bulk_register": gettext_lazy("People registered from a list"),
    "drive.correct": gettext_lazy("Drive corrected"),
    "drive.create": gettext_lazy("Drive created"),
    "drive.reopen": gettext_lazy("Drive reopened"),
    "drive.resolve_mismatch": gettext_lazy("Mismatch resolved"),
    "drive.status": gettext_lazy("Drive status changed"),
    "drive.update": gettext_lazy("Drive changed"),
    "drive_request.accept": gettext_lazy("Drive request accepted"),
    "drive_request.create": gettext_lazy("Drive requested"),
    "drive_request.decline": gettext_lazy("Drive request declined"),
    "location.add": gettext_lazy("Storage location added"),
    "location.deactivate": gettext_lazy("Storage location taken out of use"),
    "lookback.acknowledge": gettext_lazy("Look-back acknowledged"),
    "membership.create": gettext_lazy("Role given"),
    "membership.update": gettext_lazy("Role changed"),
    "order.allocate": gettext_lazy("Units allocated"),
    "order.cancel": gettext_lazy("Order cancelled"),
    "order.dispatch": gettext_lazy("Order dispatched"),
    "order.emergency_release": gettext_lazy("Emergency release"),
    "order.place": gettext_lazy("Order placed"),
    "order.receive": gettext_lazy("Order received"),
    "order.unallocate": gettext_lazy("Allocation withdrawn"),
    "order.urgency": gettext_lazy("Urgency changed"),
    "organisation.create": gettext_lazy("Organisation created"),
    "organisation.move": gettext_lazy("Organisation moved"),
    "organisation.update": gettext_lazy("Organisation changed"),
    "plan.add_round": gettext_lazy("Round added"),
    "plan.closed": gettext_lazy("Plan closed"),
    "plan.create": gettext_lazy("Plan created"),
    "plan.draft": gettext_lazy("Plan returned to draft"),
    "plan.issued": gettext_lazy("Plan issued"),
    "plan.revise": gettext_lazy("Plan revised"),
    "plan.set_area_target": gettext_lazy("Area target set"),
    "plan.set_targets": gettext_lazy("Targets allocated"),
    "plan.superseded": gettext_lazy("Plan superseded"),
    "plan.update": gettext_lazy("Plan changed"),
    "presentation.accept": gettext_lazy("Physician accepted"),
    "presentation.answers": gettext_lazy("Health questionnaire answered"),
    "presentation.check_in": gettext_lazy("Checked in"),
    "presentation.collect": gettext_lazy("Blood collected"),
    "presentation.defer": gettext_lazy("Physician deferred"),
    "presentation.left": gettext_lazy("Left before the end"),
    "presentation.override": gettext_lazy("Physician overrode the engine"),
    "presentation.post_care": gettext_lazy("Care after donation recorded"),
    "presentation.vitals": gettext_lazy("Vital signs recorded"),
    "registration.cancel": gettext_lazy("Registration cancelled"),
    "registration.create": gettext_lazy("Registered"),
    "result.correct": gettext_lazy("Result corrected"),
    "result.enter": gettext_lazy("Result entered"),
    "result.verify": gettext_lazy("Result verified"),
    "results.import": gettext_lazy("Results imported"),
    "sample.order_test": gettext_lazy("Test ordered"),
    "sample.receive": gettext_lazy("Sample received"),
    "shipment.scan": gettext_lazy("Unit scanned into a shipment"),
    "stock.threshold": gettext_lazy("Stock threshold set"),
    "transfer.receive": gettext_lazy("Transfer received"),
    "transfer.send": gettext_lazy("Transfer sent"),
    "unit.outcome": gettext_lazy("Unit's fate reported"),
    "user.set_language": gettext_lazy("Language changed"),
}


def action_label(code: str) -> str:
    """The action ``code`` as words in the active language."""
    label = ACTIONS.get(code)
    return str(label) if label is not None else _("Recorded change")
