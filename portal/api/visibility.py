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


# ---------------------------------------------------------------------- one instance per serializer class

_SHARED: dict[type[BaseSerializer], BaseSerializer] = {}


def shared(serializer_class: type[BaseSerializer]) -> BaseSerializer:
    """One unbound instance of `serializer_class` per process: DRF builds (and deep-copies)
    a serializer's fields each time one is made, which costs more than the answer of a
    hot endpoint itself; the fields hold no state of a call (the time zone and language
    are read when a value is represented), so one instance serves every request."""
    instance = _SHARED.get(serializer_class)
    if instance is None:
        instance = _SHARED.setdefault(serializer_class, serializer_class())
    return instance


def represent(viewer, staff: type[BaseSerializer], instance) -> dict:
    """What `for_viewer(viewer, staff)(instance).data` answers, through the shared instance."""
    return shared(for_viewer(viewer, staff)).to_representation(instance)


def validated(serializer_class: type[BaseSerializer], data) -> dict:
    """`serializer_class(data=data)`'s validated data, through the shared instance; invalid
    input goes through a fresh serializer's `is_valid(raise_exception=True)`, so the
    errors answered are exactly its own."""
    from rest_framework.exceptions import ValidationError

    try:
        return dict(shared(serializer_class).run_validation(data))
    except ValidationError:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)
