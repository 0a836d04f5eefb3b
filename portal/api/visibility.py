"""What the API shows each role: the one decision between a staff serializer and its
client variant. A client user must read through the API exactly what their pages show
them, no more (tests/test_client_view.py holds the allow-list of every field).

An app declares the client variant of an output serializer next to it:

    @client_variant_of(TicketDetailSerializer)
    class ClientTicketDetailSerializer(TicketDetailSerializer): ...

and its API views serialize with `for_viewer(request.membership, TicketDetailSerializer)`."""

from __future__ import annotations

from rest_framework.serializers import BaseSerializer

_CLIENT_VARIANTS: dict[type[BaseSerializer], type[BaseSerializer]] = {}


def client_variant_of(staff: type[BaseSerializer]):
    def register(client: type[BaseSerializer]) -> type[BaseSerializer]:
        _CLIENT_VARIANTS[staff] = client
        return client

    return register


def for_viewer(viewer, staff: type[BaseSerializer]) -> type[BaseSerializer]:
    """The serializer class for `viewer` (a Membership): the client variant of `staff`
    for client roles when there is one, `staff` otherwise."""
    if viewer is not None and viewer.is_client:
        return _CLIENT_VARIANTS.get(staff, staff)
    return staff


def client_variants_schema_hook(result, generator, request, public):
    """drf-spectacular post-processing: the documented staff component must also describe
    what a client user gets, so the fields its client variant leaves out are not
    `required`, and their description says so."""
    components = result.get("components", {}).get("schemas", {})
    for staff, client in _CLIENT_VARIANTS.items():
        component = components.get(staff.__name__.removesuffix("Serializer"))
        if component is None:
            continue
        missing = set(staff().fields) - set(client().fields)
        if "required" in component:
            component["required"] = [name for name in component["required"] if name not in missing]
            if not component["required"]:
                del component["required"]
        for name in sorted(missing):
            prop = component.get("properties", {}).get(name)
            if prop is not None:
                prop["description"] = (prop.get("description", "") + " Not given to client users.").strip()
    return result
