"""People and access (portal/people.py, the People page, the members and invitations
API): invitations as signed, expiring links; roles; deactivation."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from portal import people
from portal.exceptions import ConflictError
from portal.models import AuditEvent, Invitation, Membership, OutboxMessage, User
from portal.outbox import outbox_deliver
from portal.services import api_token_create

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42-battery"


def _invite(actor, tenant, **kw):
    kw.setdefault("email", "newbie@a.test")
    kw.setdefault("role", "technician")
    return people.invitation_create(tenant=tenant, actor=actor, **kw)


def _accept(invitation, **kw):
    kw.setdefault("full_name", "Nina Newbie")
    kw.setdefault("password", PASSWORD)
    return people.invitation_accept(token=people.invitation_token(invitation), **kw)


# ---------------------------------------------------------------------- inviting


def test_an_invitation_writes_one_email_to_the_outbox(alice, tenant_a):
    invitation = _invite(alice, tenant_a)
    row = OutboxMessage.objects.get(kind="invitation")
    assert (row.recipient, row.context) == ("newbie@a.test", {"invitation_id": invitation.pk, "version": 1})


def test_the_invitation_email_carries_a_link_that_opens_the_accept_page(alice, tenant_a, client):
    _invite(alice, tenant_a)
    outbox_deliver()
    link = next(line for line in mail.outbox[0].body.splitlines() if "/invitation/" in line)
    response = client.get(urlsplit(link.strip()).path)
    assert response.status_code == 200 and "newbie@a.test" in response.content.decode()


def test_the_invitation_email_is_in_the_invitees_language(alice, tenant_a):
    _invite(alice, tenant_a, language="fr")
    outbox_deliver()
    assert "invité" in mail.outbox[0].subject


def test_an_invitation_is_audited(alice, tenant_a):
    _invite(alice, tenant_a)
    assert AuditEvent.objects.filter(action="invitation.create", object_ref="newbie@a.test").exists()


def test_an_address_with_an_account_cannot_be_invited(alice, bob, tenant_a):
    with pytest.raises(ValidationError) as exc:
        _invite(alice, tenant_a, email=bob.email)
    assert "email" in exc.value.message_dict


def test_an_address_cannot_be_invited_twice(alice, tenant_a):
    _invite(alice, tenant_a)
    with pytest.raises(ValidationError) as exc:
        _invite(alice, tenant_a, email="NEWBIE@a.test")
    assert "email" in exc.value.message_dict


def test_a_client_role_needs_an_organisation(alice, tenant_a):
    with pytest.raises(ValidationError) as exc:
        _invite(alice, tenant_a, role="client_user")
    assert "organization" in exc.value.message_dict


def test_a_client_admin_invites_into_its_own_organisation_by_default(clara, tenant_a, org_a1):
    invitation = _invite(clara, tenant_a, role="client_user")
    assert invitation.organization_id == org_a1.pk


def test_a_client_admin_cannot_invite_provider_staff(clara, tenant_a):
    with pytest.raises((PermissionDenied, ValidationError)):
        _invite(clara, tenant_a, role="technician")


def test_a_client_admin_cannot_invite_into_another_organisation(dora, tenant_a, org_a1):
    with pytest.raises(PermissionDenied):
        _invite(dora, tenant_a, role="client_user", organization=org_a1)


def test_a_client_user_cannot_invite(cody, tenant_a):
    with pytest.raises(PermissionDenied):
        _invite(cody, tenant_a, role="client_user")


# ---------------------------------------------------------------------- accepting


def test_accepting_creates_the_user_with_its_role(alice, tenant_a):
    user = _accept(_invite(alice, tenant_a))
    assert (user.email, user.membership.role, user.check_password(PASSWORD)) == ("newbie@a.test", "technician", True)


def test_accepting_keeps_the_invitations_language_for_the_user(alice, tenant_a):
    user = _accept(_invite(alice, tenant_a, language="fr"))
    assert user.language == "fr"


def test_a_link_works_once(alice, tenant_a):
    invitation = _invite(alice, tenant_a)
    _accept(invitation)
    with pytest.raises(ValidationError) as exc:
        _accept(invitation)
    assert "token" in exc.value.message_dict


def test_a_weak_password_is_refused_by_djangos_validators(alice, tenant_a):
    invitation = _invite(alice, tenant_a)
    with pytest.raises(ValidationError) as exc:
        _accept(invitation, password="12345")
    assert "password" in exc.value.message_dict and not User.objects.filter(email="newbie@a.test").exists()


def test_a_link_expires(alice, tenant_a, settings):
    invitation = _invite(alice, tenant_a)
    with time_machine.travel(timezone.now() + timedelta(days=settings.INVITATION_DAYS, minutes=1)):
        assert people.invitation_from_token(people.invitation_token(invitation)) is None


def test_a_forged_link_names_no_invitation(alice, tenant_a):
    invitation = _invite(alice, tenant_a)
    token = people.invitation_token(invitation)
    assert people.invitation_from_token(token[:-2] + "xx") is None


def test_resending_makes_the_earlier_link_stop_working(alice, tenant_a):
    invitation = _invite(alice, tenant_a)
    old = people.invitation_token(invitation)
    people.invitation_resend(invitation=invitation, actor=alice)
    assert people.invitation_from_token(old) is None


def test_resending_writes_a_new_email(alice, tenant_a):
    invitation = _invite(alice, tenant_a)
    people.invitation_resend(invitation=invitation, actor=alice)
    assert OutboxMessage.objects.filter(kind="invitation").count() == 2


def test_resending_restarts_the_expiry(alice, tenant_a, settings):
    invitation = _invite(alice, tenant_a)
    later = timezone.now() + timedelta(days=settings.INVITATION_DAYS - 1)
    with time_machine.travel(later):
        invitation = people.invitation_resend(invitation=invitation, actor=alice)
    assert invitation.expires_at > later + timedelta(days=settings.INVITATION_DAYS - 1)


def test_the_email_of_a_resent_invitations_earlier_link_is_not_sent(alice, tenant_a):
    invitation = _invite(alice, tenant_a)
    people.invitation_resend(invitation=invitation, actor=alice)
    report = outbox_deliver()
    assert (report["sent"], report["cancelled"]) == (1, 1)


def test_a_revoked_link_no_longer_works(alice, tenant_a):
    invitation = _invite(alice, tenant_a)
    people.invitation_revoke(invitation=invitation, actor=alice)
    assert people.invitation_from_token(people.invitation_token(invitation)) is None


def test_a_revoked_address_can_be_invited_again(alice, tenant_a):
    people.invitation_revoke(invitation=_invite(alice, tenant_a), actor=alice)
    assert _invite(alice, tenant_a).status == "pending"


def test_an_accepted_invitation_cannot_be_resent(alice, tenant_a):
    invitation = _invite(alice, tenant_a)
    _accept(invitation)
    with pytest.raises(ConflictError):
        people.invitation_resend(invitation=invitation, actor=alice)


# ---------------------------------------------------------------------- roles and deactivation


def test_a_tenant_admin_changes_a_staff_role(alice, bob):
    member = people.member_change_role(member=bob.membership, actor=alice, role="account_manager")
    assert Membership.objects.get(pk=member.pk).role == "account_manager"


def test_a_role_change_is_audited_as_a_diff(alice, bob):
    people.member_change_role(member=bob.membership, actor=alice, role="account_manager")
    assert AuditEvent.objects.get(action="member.role").changes == {"role": ["technician", "account_manager"]}


def test_staff_cannot_be_given_a_client_role(alice, bob):
    with pytest.raises(ValidationError):
        people.member_change_role(member=bob.membership, actor=alice, role="client_user")


def test_nobody_changes_their_own_role(alice, amy):
    with pytest.raises(ConflictError):
        people.member_change_role(member=alice.membership, actor=alice, role="technician")


def test_the_last_active_admin_keeps_the_role(alice, tenant_a):
    from tests.factories import member

    other = member(tenant_a, "tenant_admin", email="other@a.test")
    people.member_deactivate(member=other.membership, actor=alice)
    people.member_reactivate(member=other.membership, actor=alice)
    people.member_change_role(member=alice.membership, actor=other, role="technician")
    with pytest.raises(ConflictError):
        people.member_change_role(member=other.membership, actor=alice, role="technician")


def test_a_client_admin_changes_a_colleagues_role(clara, cody):
    people.member_change_role(member=cody.membership, actor=clara, role="client_admin")
    assert Membership.objects.get(user=cody).role == "client_admin"


def test_a_client_admin_cannot_touch_another_organisations_people(dora, cody):
    with pytest.raises(Http404):
        people.member_deactivate(member=cody.membership, actor=dora)


def test_a_deactivated_user_cannot_log_in(alice, bob, client):
    bob.set_password(PASSWORD)
    bob.save()
    people.member_deactivate(member=bob.membership, actor=alice)
    response = client.post("/login/", {"username": bob.email, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_a_deactivated_users_session_ends(alice, bob, web):
    web.as_(bob)
    people.member_deactivate(member=bob.membership, actor=alice)
    assert web.get("/tickets/").status_code == 302


def test_a_deactivated_user_cannot_use_an_api_token(alice, bob, client):
    _token, secret = api_token_create(user=bob, name="Monitoring")
    people.member_deactivate(member=bob.membership, actor=alice)
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_deactivation_keeps_the_users_history(alice, bob):
    people.member_deactivate(member=bob.membership, actor=alice)
    assert User.objects.filter(pk=bob.pk, is_active=False).exists() and Membership.objects.filter(user=bob).exists()


def test_a_reactivated_user_logs_in_again(alice, bob, client):
    bob.set_password(PASSWORD)
    bob.save()
    people.member_deactivate(member=bob.membership, actor=alice)
    people.member_reactivate(member=bob.membership, actor=alice)
    client.post("/login/", {"username": bob.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_nobody_deactivates_themselves(alice):
    with pytest.raises(ConflictError):
        people.member_deactivate(member=alice.membership, actor=alice)


# ---------------------------------------------------------------------- pages


def test_the_people_page_lists_members_with_role_and_last_login(web, alice, bob):
    bob.last_login = timezone.now()
    bob.save()
    body = web.as_(alice).get("/people/").content.decode()
    assert bob.email in body and "Technician" in body and "Never" not in body.split(bob.email)[1].split("</tr>")[0]


def test_the_people_page_of_a_client_admin_shows_only_its_organisation(web, clara, cody, dora, bob):
    body = web.as_(clara).get("/people/").content.decode()
    assert cody.email in body and dora.email not in body and bob.email not in body


def test_the_people_page_is_refused_to_a_technician(web, bob):
    assert web.as_(bob).get("/people/").status_code == 403


def test_the_invite_page_sends_an_invitation(web, alice):
    response = web.as_(alice).post("/people/invite/", {"email": "x@a.test", "role": "technician", "language": "en"})
    assert response.status_code == 302 and Invitation.objects.filter(email="x@a.test").exists()


def test_the_invite_page_offers_a_client_admin_client_roles_only(web, clara):
    body = web.as_(clara).get("/people/invite/").content.decode()
    assert 'value="client_user"' in body and 'value="technician"' not in body


def test_the_accept_page_logs_the_person_in(alice, tenant_a, client):
    invitation = _invite(alice, tenant_a)
    response = client.post(f"/invitation/{people.invitation_token(invitation)}/",
                           {"full_name": "Nina", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"]


def test_the_accept_page_shows_the_password_validators_refusal_under_the_field(alice, tenant_a, client):
    invitation = _invite(alice, tenant_a)
    response = client.post(f"/invitation/{people.invitation_token(invitation)}/",
                           {"full_name": "Nina", "password1": "password", "password2": "password"})
    assert response.status_code == 200 and "too common" in response.content.decode()


def test_the_accept_page_of_a_dead_link_answers_404(client):
    assert client.get("/invitation/nope/").status_code == 404


def test_the_deactivate_button_deactivates(web, alice, bob):
    web.as_(alice).post(f"/people/{bob.membership.pk}/deactivate/")
    assert User.objects.get(pk=bob.pk).is_active is False


def test_a_refused_action_is_a_message_not_an_error(web, alice):
    response = web.as_(alice).post(f"/people/{alice.membership.pk}/deactivate/", follow=True)
    assert response.status_code == 200 and "your own account" in response.content.decode()


# ---------------------------------------------------------------------- API


def test_the_api_lists_members(api, alice, bob):
    body = api.as_(alice).get("/api/v1/members/").json()
    assert bob.email in {m["email"] for m in body["results"]}


def test_the_api_invites(api, alice):
    response = api.as_(alice).post("/api/v1/invitations/", {"email": "api@a.test", "role": "technician"},
                                   format="json")
    assert response.status_code == 201 and response.json()["status"] == "pending"


def test_the_api_changes_a_role(api, alice, bob):
    response = api.as_(alice).patch(f"/api/v1/members/{bob.membership.pk}/", {"role": "account_manager"},
                                    format="json")
    assert response.json()["role"] == "account_manager"


def test_the_api_deactivates(api, alice, bob):
    response = api.as_(alice).post(f"/api/v1/members/{bob.membership.pk}/deactivate/")
    assert response.json()["is_active"] is False


def test_the_api_answers_409_to_deactivating_oneself(api, alice):
    assert api.as_(alice).post(f"/api/v1/members/{alice.membership.pk}/deactivate/").status_code == 409


def test_the_api_refuses_a_client_user(api, cody):
    assert api.as_(cody).get("/api/v1/members/").status_code == 403


def test_the_api_revokes_an_invitation(api, alice, tenant_a):
    invitation = _invite(alice, tenant_a)
    api.as_(alice).delete(f"/api/v1/invitations/{invitation.pk}/")
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None


def test_the_api_invites_a_client_user_into_an_organisation(api, alice, org_a1):
    response = api.as_(alice).post(f"/api/v1/organizations/{org_a1.reference}/invitations/",
                                   {"email": "c@a1.test", "role": "client_user"}, format="json")
    assert response.status_code == 201 and response.json()["organization"] == org_a1.reference


def test_the_api_refuses_a_provider_role_into_an_organisation(api, alice, org_a1):
    response = api.as_(alice).post(f"/api/v1/organizations/{org_a1.reference}/invitations/",
                                   {"email": "c@a1.test", "role": "technician"}, format="json")
    assert response.status_code == 400 and "role" in response.json()["error"]["fields"]


def test_the_people_page_reads_in_a_fixed_number_of_queries(web, alice, tenant_a, django_assert_max_num_queries):
    from tests.factories import member

    for n in range(15):
        member(tenant_a, "technician", email=f"tech{n}@a.test")
    client = web.as_(alice)
    with django_assert_max_num_queries(15):
        client.get("/people/")
