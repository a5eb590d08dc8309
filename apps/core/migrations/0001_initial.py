# IdempotencyKey moved here from the donations app (withdrawals use it too). Its table
# is renamed, not recreated, so keys in flight survive the deploy.

import uuid

import django.core.serializers.json
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("donations", "0002_timeline"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyKey",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("scope", models.CharField(max_length=100)),
                        ("key", models.CharField(max_length=255)),
                        ("request_hash", models.CharField(max_length=64)),
                        (
                            "response_status",
                            models.PositiveSmallIntegerField(blank=True, null=True),
                        ),
                        (
                            "response_body",
                            models.JSONField(
                                blank=True,
                                encoder=django.core.serializers.json.DjangoJSONEncoder,
                                null=True,
                            ),
                        ),
                        (
                            "locked_until",
                            models.DateTimeField(
                                help_text="An unfinished request owns the key until then."
                            ),
                        ),
                        ("completed_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={"db_table": "donations_idempotencykey"},
                ),
                migrations.AddConstraint(
                    model_name="idempotencykey",
                    constraint=models.UniqueConstraint(
                        fields=("scope", "key"), name="idempotency_key_unique"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="idempotencykey", table=None),
    ]
