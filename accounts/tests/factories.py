import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import OWNER, STAFF

PASSWORD = "correct-horse-battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password(PASSWORD)


def _with_role(default: str):
    def grant(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get(name=extracted or default))

    return factory.PostGeneration(grant)


class OwnerFactory(UserFactory):
    role = _with_role(OWNER)


class StaffFactory(UserFactory):
    role = _with_role(STAFF)
