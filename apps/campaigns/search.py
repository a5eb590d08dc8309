"""Full-text search on campaign title and story.

PostgreSQL: a weighted tsvector (title above story) matched with `websearch_to_tsquery`,
backed by a GIN expression index that migration 0003 creates on PostgreSQL only; the
index is built from `search_vector()` so the planner sees the very same expression.
Other databases (SQLite for `make run`): case-insensitive substring match.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

SEARCH_CONFIG = "english"
SEARCH_INDEX_NAME = "campaign_search_gin"
MAX_QUERY_LENGTH = 200


def search_vector() -> SearchVector:
    # Two SearchVectors combine into a CombinedSearchVector (a SearchVector); the stubs say
    # CombinedExpression.
    vector = SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "story", weight="B", config=SEARCH_CONFIG
    )
    return vector  # type: ignore[return-value]


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def search_filter(queryset: QuerySet, q: str, *, rank: bool = False) -> QuerySet:
    """Campaigns matching `q`; with `rank`, annotated with `search_rank` (PostgreSQL)."""
    if not uses_full_text():
        return queryset.filter(Q(title__icontains=q) | Q(story__icontains=q))
    query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
    queryset = queryset.annotate(search_document=search_vector()).filter(search_document=query)
    if rank:
        queryset = queryset.annotate(search_rank=SearchRank(search_vector(), query))
    return queryset
