"""The client dashboard's report card: the SLA compliance chart of the client's first
active contract for the last month over, with its figures in words (an inclusion tag,
so that the dashboard only includes it)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("billing/snippets/client_chart_card.html", takes_context=True)
def client_report_card(context) -> dict:
    from billing.views import report_charts_bundle
    from contracts.selectors import contracts as contract_selectors

    request = context.get("request")
    viewer = getattr(request, "membership", None)
    if request is None or viewer is None or not viewer.is_client:
        return {"card": None}
    contract = (contract_selectors.contract_list(tenant=request.tenant, viewer=viewer, status="active")
                .order_by("reference").first())
    bundle = None if contract is None else report_charts_bundle(tenant=request.tenant, viewer=viewer,
                                                                 contract=contract)
    if bundle is None:
        return {"card": None}
    last = bundle["history"][-1] if bundle["history"] else (None, None, None)
    return {"card": {"contract": contract, "charts": bundle, "response": last[1], "resolution": last[2]}}
