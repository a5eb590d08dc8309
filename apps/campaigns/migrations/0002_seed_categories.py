from django.db import migrations


def seed(apps, schema_editor):
    from apps.campaigns.reference import seed_categories

    seed_categories(apps.get_model("campaigns", "Category"))


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
