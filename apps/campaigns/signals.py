"""Every comment written or deleted (by the API, the console or a cascade) drops the
campaign's cached comment pages (apps/campaigns/cache.py), after the commit."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .cache import comments_invalidate
from .models import Comment


@receiver(post_save, sender=Comment, dispatch_uid="campaigns.comment_saved")
@receiver(post_delete, sender=Comment, dispatch_uid="campaigns.comment_deleted")
def comment_changed(sender: Any, instance: Comment, **kwargs: Any) -> None:
    comments_invalidate(instance.campaign_id)
