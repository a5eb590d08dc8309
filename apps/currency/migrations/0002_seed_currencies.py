from django.db import migrations


def seed(apps, schema_editor):
    from apps.currency.reference import seed_currencies

    seed_currencies(apps.get_model("currency", "Currency"))


class Migration(migrations.Migration):
    dependencies = [("currency", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
