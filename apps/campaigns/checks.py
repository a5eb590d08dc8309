from django.core.checks import Error, register


@register()
def campaign_orderings_check(app_configs, **kwargs) -> list[Error]:
    """Every public campaign ordering has an implementation registered."""
    from .selectors import campaign_orderings_missing

    return [
        Error(
            f"The public campaign ordering {name!r} has no implementation.",
            hint="Register it with apps.campaigns.selectors.register_campaign_ordering.",
            id="campaigns.E001",
        )
        for name in campaign_orderings_missing()
    ]
