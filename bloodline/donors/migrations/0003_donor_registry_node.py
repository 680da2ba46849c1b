"""Each donor belongs to one registry: the country above the unit or establishment that
registered them (decision 0030). Filled from the donor's unit, else the establishment of a
donation, else the establishment running a drive they registered for."""

import django.db.models.deletion
from django.db import migrations, models

SEGMENT = 8  # as bloodline.organisations.models.SEGMENT; a migration keeps its own copy


def fill_registries(apps, schema_editor):
    Donor = apps.get_model("donors", "Donor")
    Organisation = apps.get_model("organisations", "Organisation")
    Donation = apps.get_model("collection", "Donation")
    Registration = apps.get_model("drives", "Registration")
    roots = {o.path: o.pk for o in Organisation.objects.filter(parent__isnull=True)}

    def root_of(path):
        return roots.get((path or "")[:SEGMENT])

    found = {}
    for row in Registration.objects.values("donor_id", "drive__establishment__path"):
        found[row["donor_id"]] = root_of(row["drive__establishment__path"])
    for row in Donation.objects.values("donor_id", "establishment__path"):
        found[row["donor_id"]] = root_of(row["establishment__path"])
    for row in Donor.objects.filter(affiliation__isnull=False).values("pk", "affiliation__path"):
        found[row["pk"]] = root_of(row["affiliation__path"])
    by_root = {}
    for donor_id, root in found.items():
        if root is not None:
            by_root.setdefault(root, []).append(donor_id)
    for root, donor_ids in by_root.items():
        for start in range(0, len(donor_ids), 2000):
            chunk = donor_ids[start : start + 2000]
            Donor.objects.filter(pk__in=chunk).update(registry_id=root)


class Migration(migrations.Migration):
    dependencies = [
        ("donors", "0002_registry"),
        ("organisations", "0001_initial"),
        ("collection", "0004_donation_outcome"),
        ("drives", "0005_reopen_reconciled_drive"),
    ]

    operations = [
        migrations.AddField(
            model_name="donor",
            name="registry",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="registered_donors",
                to="organisations.organisation",
                verbose_name="registry",
            ),
        ),
        migrations.RunPython(fill_registries, migrations.RunPython.noop),
    ]
