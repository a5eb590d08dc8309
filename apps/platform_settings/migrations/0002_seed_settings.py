from django.db import migrations


def seed(apps, schema_editor):
    from apps.platform_settings.defaults import seed_platform_settings

    seed_platform_settings(
        apps.get_model("platform_settings", "PlatformSettings"),
        apps.get_model("platform_settings", "CurrencySettings"),
        apps.get_model("currency", "Currency"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("platform_settings", "0001_initial"),
        ("currency", "0002_seed_currencies"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
