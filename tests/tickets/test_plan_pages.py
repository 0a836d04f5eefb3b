"""Preventive plans on the contract's page and under the contract's API address: the
plans belong to tickets, shown in a panel of the contract page, added from its form,
and listed or added at /api/v1/contracts/{ref}/preventive-plans/."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tickets.models import PreventivePlan
from tickets.plans import plan_create

pytestmark = pytest.mark.django_db

RULE = "FREQ=MONTHLY;BYDAY=1MO"


def text(response) -> str:
    return response.content.decode()


def flashed(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def page(contract) -> str:
    return f"/contracts/{contract.reference}/"


def plans_url(contract) -> str:
    return f"/api/v1/contracts/{contract.reference}/preventive-plans/"


def plan_form(**overrides) -> dict:
    return {"title": "Monthly patching", "rrule": RULE, "start_date": "2026-06-01", "lead_days": "7",
            "description": "Updates and backup checks", **overrides}


@pytest.fixture
def plan(amy, contract):
    return plan_create(contract=contract, actor=amy, title="Quarterly visit", rrule="FREQ=MONTHLY;INTERVAL=3",
                       start_date=date(2026, 6, 1))


def test_it_keeps_the_addresses_of_the_plan_form_and_endpoint(contract):
    assert reverse("contract-plan", args=[contract.reference]) == f"/contracts/{contract.reference}/plan/"
    assert reverse("api-contract-preventive-plans", kwargs={"contract_ref": contract.reference}) == plans_url(contract)


def test_it_shows_the_contracts_plans_on_its_page(web, bob, plan, contract):
    response = web.as_(bob).get(page(contract))
    assert "Preventive plans" in text(response)
    assert "Quarterly visit" in text(response) and "FREQ=MONTHLY;INTERVAL=3" in text(response)
    assert "every 3 months" in text(response)  # the recurrence in words, the rule in its tooltip


def test_it_offers_an_account_manager_the_plan_form_on_an_active_contract(web, amy, contract):
    assert "Add a preventive plan" in text(web.as_(amy).get(page(contract)))


def test_it_shows_a_client_the_plans_without_the_form(web, cody, plan, contract):
    body = text(web.as_(cody).get(page(contract)))
    assert "Quarterly visit" in body and "Add a preventive plan" not in body


def test_it_shows_no_plan_panel_when_there_is_nothing_to_show(web, cody, contract):
    assert "Preventive plans" not in text(web.as_(cody).get(page(contract)))


def test_it_adds_a_plan_from_the_contract_page(web, amy, contract):
    response = web.as_(amy).post(f"{page(contract)}plan/", plan_form(), follow=True)
    assert flashed(response) == ["Preventive plan added."]
    assert list(PreventivePlan.objects.filter(contract=contract).values_list("title", flat=True)) == [
        "Monthly patching"]


def test_it_reports_an_invalid_rule_on_the_contract_page(web, amy, contract):
    response = web.as_(amy).post(f"{page(contract)}plan/", plan_form(rrule="FREQ=SOMETIMES"), follow=True)
    [message] = flashed(response)
    assert message.startswith("This is not a valid recurrence rule")
    assert not PreventivePlan.objects.exists()


def test_it_refuses_a_client_adding_a_plan(web, cody, contract):
    assert web.as_(cody).post(f"{page(contract)}plan/", plan_form()).status_code == 403
    assert not PreventivePlan.objects.exists()


def test_it_lists_the_plans_in_the_api(api, bob, plan, contract):
    response = api.as_(bob).get(plans_url(contract))
    assert response.status_code == 200
    assert [(row["title"], row["planned"], row["done"]) for row in response.json()] == [("Quarterly visit", 0, 0)]


def test_it_adds_a_plan_through_the_api(api, amy, contract):
    response = api.as_(amy).post(plans_url(contract), {"title": "Monthly patching", "rrule": RULE,
                                                    "start_date": "2026-06-01"}, format="json")
    assert response.status_code == 201
    assert (response.json()["title"], response.json()["lead_days"]) == ("Monthly patching", 7)


def test_it_refuses_a_client_adding_a_plan_through_the_api(api, clara, contract):
    response = api.as_(clara).post(plans_url(contract), {"title": "Mine", "rrule": RULE,
                                                      "start_date": "2026-06-01"}, format="json")
    assert response.status_code == 403
    assert not PreventivePlan.objects.exists()


def test_it_says_a_plan_opened_the_ticket_rather_than_a_blank_requester(web, bob, plan, tenant_a):
    from tickets.plans import plans_run

    plans_run(tenant=tenant_a, today=date(2026, 5, 28))
    ticket = plan.occurrences.get().ticket
    assert "Created by the preventive plan on" in text(web.as_(bob).get(f"/tickets/{ticket.reference}/"))
