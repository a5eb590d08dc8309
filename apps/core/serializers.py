from typing import Any

from rest_framework import serializers


# A serializer that refuses fields it does not know, naming them.
#
# A misspelt optional field would otherwise be dropped without a word, and the client
# would believe it had set something it had not. (A comment, not a docstring: OpenAPI
# would show a docstring as the description of every request schema built on it.)
class StrictSerializer(serializers.Serializer):
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            errors = {}
            for key in data:
                field = self.fields.get(key)
                if field is None:
                    errors[str(key)] = ["Unknown field."]
                elif field.read_only:
                    errors[str(key)] = ["This field is read-only."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer):
    pass
