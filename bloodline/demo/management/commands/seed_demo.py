from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from bloodline.demo.blood_centre import seed_blood_centre
from bloodline.demo.seed import DEMO_PASSWORD, seed


class Command(BaseCommand):
    help = "Load the generated demo programme (no real people) and list the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        demo = seed(with_programmes=True)
        self.stdout.write(
            "Demo programme loaded." if demo.created else "Demo programme already present."
        )
        if seed_blood_centre():
            self.stdout.write("Blood-centre stock, laboratory work and hospital orders loaded.")
        self.stdout.write(f"Demo logins (password for every account: {DEMO_PASSWORD}):")
        for persona, _user in demo.accounts:
            self.stdout.write(f"  {persona.username:<24} {persona.description}")
        self.stdout.write(f"  {'admin':<24} platform administrator (configuration site)")
        self.stdout.write(
            "Try a donation day: sign in as drive_nurse or physician, open Drives and the drive "
            "running today, then “Open the stations”."
        )
        self.stdout.write(
            "Try the blood centre: lab_technician (results and release), inventory_clerk "
            "(stock and orders), hospital_user (orders and a look-back notification)."
        )
        self.stdout.write(
            "Without signing in: the public blood supply at /supply/ and the drives open for "
            "booking at /donor/drives/."
        )
        if settings.MFA_REQUIRED:
            self.stdout.write(
                "Second sign-in step is ON: admin, establishment_admin, lab_technician and "
                "inventory_clerk set up an authenticator app at their first sign-in."
            )
        else:
            self.stdout.write(
                "NOTE: this demo runs with MFA_REQUIRED=0 - the second sign-in step "
                "(authenticator app) is switched off. Production keeps it on."
            )
