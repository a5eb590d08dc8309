"""GIN index for full-text search on title and story, on PostgreSQL only.

Built from `apps.campaigns.search.search_vector()` so that the index expression is the
one the list query uses. SQLite has no GIN index; search there falls back to icontains.
"""

from django.db import migrations


def _index():
    from django.contrib.postgres.indexes import GinIndex

    from apps.campaigns.search import SEARCH_INDEX_NAME, search_vector

    return GinIndex(search_vector(), name=SEARCH_INDEX_NAME)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("campaigns", "Campaign"), _index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("campaigns", "Campaign"), _index())


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0003_indexes_and_review_permission")]
    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
