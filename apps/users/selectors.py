from django.db.models import Q, QuerySet

from .models import User


def user_list(*, query: str = "", is_staff: bool | None = None) -> QuerySet[User]:
    users = User.objects.all().order_by("-date_joined", "pk")
    if query:
        users = users.filter(
            Q(email__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(phone__icontains=query)
        )
    if is_staff is not None:
        users = users.filter(is_staff=is_staff)
    return users
