import pytest
from django.core.exceptions import ValidationError

from portal import services
from portal.models import AuditEvent, User


def test_it_saves_language_and_opt_outs(bob):
    services.user_preferences_update(user=bob, language="en", notification_optouts=["reply", "status"])
    bob = User.objects.get(pk=bob.pk)
    assert (bob.language, bob.notification_optouts) == ("en", ["reply", "status"])


def test_it_audits_a_preference_change(bob, tenant_a):
    services.user_preferences_update(user=bob, language="fr", notification_optouts=["reply"])
    assert AuditEvent.objects.filter(tenant=tenant_a, action="user.preferences", object_ref=bob.email).exists()


@pytest.mark.parametrize(("language", "optouts", "field"), [("de", [], "language"), ("fr", ["breach"], "notification_optouts")])
def test_it_refuses_unknown_values(bob, language, optouts, field):
    with pytest.raises(ValidationError) as excinfo:
        services.user_preferences_update(user=bob, language=language, notification_optouts=optouts)
    assert set(excinfo.value.message_dict) == {field}


def test_it_shows_the_preferences_page(web, cody):
    response = web.as_(cody).post("/account/", {"language": "en", "notification_optouts": ["status"]})
    assert response.status_code == 302
    assert User.objects.get(pk=cody.pk).notification_optouts == ["status"]
