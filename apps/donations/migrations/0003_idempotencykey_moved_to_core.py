# IdempotencyKey now belongs to the core app (its 0001 renames the table); only the
# donations app's model state forgets it here.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0002_timeline"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyKey")],
            database_operations=[],
        ),
    ]
