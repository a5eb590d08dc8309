import datetime as dt

from django.utils.dateparse import parse_date, parse_datetime
from rest_framework import serializers

from apps.core.serializers import StrictSerializer

from .models import AdminLog


class _MomentField(serializers.CharField):
    """An ISO 8601 date or date-time; a date-time without a zone is taken as UTC.

    Gives `(moment, is_date)` so the view can make a date cover the whole day.
    """

    default_error_messages = {
        "invalid": "Give an ISO 8601 date (2025-01-31) or date-time (2025-01-31T14:00:00Z)."
    }

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            day = parse_date(text)  # first: parse_datetime also takes a bare date
            moment = None if day else parse_datetime(text)
        except ValueError:
            self.fail("invalid")
        if day is not None:
            return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC), True
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            return moment, False
        self.fail("invalid")


class AdminLogFilter(StrictSerializer):
    """Query parameters of GET /v1/admin/logs; an unknown one is refused, not ignored."""

    action = serializers.CharField(required=False, max_length=100)
    actor = serializers.CharField(required=False, max_length=254, help_text="Actor's email")
    target_type = serializers.CharField(required=False, max_length=100)
    target_id = serializers.CharField(required=False, max_length=255)
    date_from = _MomentField(required=False, help_text="Inclusive; a date means its start")
    date_to = _MomentField(required=False, help_text="Inclusive; a date means its whole day")
    page = serializers.CharField(required=False)
    page_size = serializers.CharField(required=False)

    def validate(self, attrs):
        created_from = attrs.pop("date_from", (None, False))[0]
        created_before = None
        if "date_to" in attrs:
            moment, is_date = attrs.pop("date_to")
            created_before = moment + (dt.timedelta(days=1) if is_date else dt.timedelta(0, 0, 1))
        if created_from and created_before and created_from >= created_before:
            raise serializers.ValidationError({"date_to": ["date_to is before date_from."]})
        attrs["created_from"] = created_from
        attrs["created_before"] = created_before
        attrs.pop("page", None)
        attrs.pop("page_size", None)
        return attrs


class AdminLogSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AdminLog
        fields = [
            "id",
            "sequence",
            "created_at",
            "actor",
            "action",
            "target_type",
            "target_id",
            "before",
            "after",
            "ip_address",
            "user_agent",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields

    def get_actor(self, entry: AdminLog) -> dict | None:
        if entry.actor_id is None:
            return None
        return {"id": str(entry.actor_id), "email": entry.actor_email}
