"""The campaign categories the platform starts with."""

CATEGORIES: list[tuple[str, str]] = [
    ("medical", "Medical"),
    ("education", "Education"),
    ("emergencies", "Emergencies"),
    ("community", "Community"),
    ("faith", "Faith"),
    ("business", "Business"),
    ("creative", "Creative"),
    ("others", "Others"),
]


def seed_categories(category_model=None) -> str:
    """Create missing categories; never renames what staff changed."""
    if category_model is None:
        from .models import Category as category_model
    created = 0
    for position, (slug, name) in enumerate(CATEGORIES):
        _, was_created = category_model.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )
        created += was_created
    return f"{len(CATEGORIES)} categories ({created} new)"
