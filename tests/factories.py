"""factory_boy factories for tenancy and parties. The tenant is always explicit:
a factory called without one fails loudly instead of inventing a tenant."""

from __future__ import annotations

import factory
from stdnum import luhn

from contracts.models import Contact, Organization
from portal.models import Membership, Tenant, User


def make_siret(n: int) -> str:
    base = f"{70000000 + n * 7919 % 29999999:08d}"
    siren = base + luhn.calc_check_digit(base)
    head = siren + "0001"
    return head + luhn.calc_check_digit(head)


def vat_for_siret(siret: str) -> str:
    siren = siret[:9]
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Provider {n}")
    slug = factory.Sequence(lambda n: f"provider-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    tenant = None  # must be given
    reference = factory.Sequence(lambda n: f"ORG-{n + 9000:04d}")
    kind = "client"
    legal_name = factory.Sequence(lambda n: f"Client {n} SAS")
    siret = factory.Sequence(make_siret)
    vat_number = factory.LazyAttribute(lambda o: vat_for_siret(o.siret))
    address_line1 = "1 rue de Rivoli"
    postal_code = "75001"
    city = "Paris"
    country = "FR"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if kwargs.get("tenant") is None:
            raise ValueError("OrganizationFactory needs an explicit tenant")
        return super()._create(model_class, *args, **kwargs)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organization = None
    tenant = factory.LazyAttribute(lambda o: o.organization.tenant)
    role = "technical"
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"contact{n}@example.test")


def member(tenant: Tenant, role: str, *, organization: Organization | None = None, email: str | None = None) -> User:
    """A user with a membership in `tenant`."""
    user = UserFactory(**({"email": email} if email else {}))
    Membership.objects.create(user=user, tenant=tenant, role=role, organization=organization)
    return user
