"""Pages hide what a user may not use by asking the policy (`{% can %}`, `|can`)."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from portal.permissions import UnknownAction
from portal.tenancy import membership_for
from tests.contracts import factories as cf
from tests.tickets import factories as tf

pytestmark = pytest.mark.django_db


@pytest.fixture
def active(amy, org_a1, tenant_a):
    return cf.active(actor=amy, client=org_a1, policy=cf.sla_policy(tenant_a))


def text(response) -> str:
    return response.content.decode()


def test_it_shows_the_contract_actions_to_an_account_manager(web, amy, active):
    page = text(web.as_(amy).get(f"/contracts/{active.reference}/"))
    assert all(f"/contracts/{active.reference}/{name}/" in page for name in ("suspend", "terminate", "amend", "render"))


def test_it_hides_the_contract_actions_from_a_technician(web, bob, active):
    page = text(web.as_(bob).get(f"/contracts/{active.reference}/"))
    assert [name for name in ("suspend", "terminate", "amend", "render", "plan")
            if f"/contracts/{active.reference}/{name}/" in page] == []


@pytest.mark.parametrize(("persona", "shown"), [("bob", True), ("cody", False)])
def test_it_offers_the_internal_note_to_whom_may_write_one(web, request, cody, active, persona, shown):
    ticket = tf.open_ticket(actor=cody, contract=active, now=tf.T0)
    page = text(web.as_(request.getfixturevalue(persona)).get(f"/tickets/{ticket.reference}/"))
    assert ('name="internal"' in page) is shown


@pytest.mark.parametrize(("persona", "shown"), [("alice", True), ("amy", False), ("clara", False)])
def test_it_links_the_audit_log_for_whom_may_read_it(web, request, org_a1, persona, shown):
    assert ('href="/audit/"' in text(web.as_(request.getfixturevalue(persona)).get("/dashboard/"))) is shown


def test_it_answers_the_filter_and_the_tag_from_the_policy(amy, active):
    rendered = Template(
        '{% load policy %}{{ membership|can:"organization.create" }} {{ membership|can:"audit.read" }} '
        '{% can "contract.render_pdf" contract as may %}{{ may }}'
    ).render(Context({"membership": membership_for(amy), "contract": active}))
    assert rendered == "True False True"


def test_it_fails_loudly_on_an_unknown_action_in_a_template(amy):
    with pytest.raises(UnknownAction):
        Template('{% load policy %}{{ membership|can:"audit.raed" }}').render(Context({"membership": membership_for(amy)}))
