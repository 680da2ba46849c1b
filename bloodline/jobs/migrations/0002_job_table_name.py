# The queue's table takes this app's name (inventory_job → jobs_job); rows and index are kept.
# It runs after inventory let go of the model (inventory 0005), so only one app owns it.
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("jobs", "0001_initial"),
        ("inventory", "0005_job_moves_to_jobs"),
    ]

    operations = [
        migrations.AlterModelTable(name="job", table=None),
    ]
