"""Reading contracts: lists, one contract as a viewer may see it, its documents, terms
and versions, the renewals ahead, the clause library. Every selector takes the tenant
and the viewer and filters in SQL."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from contracts.models import (
    ClauseTemplate,
    Contract,
    ContractDocument,
    ContractMaintenanceType,
    ContractStatus,
    ContractVersion,
)
from portal.models import Membership
from portal.prepared import PreparedSelect
from portal.tenancy import get_for_tenant


def _check(tenant, viewer: Membership) -> None:
    assert viewer.tenant_id == tenant.id, "viewer of another tenant"


def contract_list(
    *, tenant, viewer: Membership, status: str = "", client_ref: str = "", search: str = "",
) -> QuerySet[Contract]:
    _check(tenant, viewer)
    # The provider too: the API list names both parties by reference.
    qs = Contract.objects.filter(tenant=tenant).select_related("client", "provider", "sla_policy", "account_manager")
    if viewer.is_client:
        qs = qs.filter(client_id=viewer.organization_id).exclude(status=ContractStatus.DRAFT)
    if status:
        qs = qs.filter(status=status)
    if client_ref:
        qs = qs.filter(client__reference=client_ref)
    if search:
        qs = qs.filter(Q(reference__icontains=search) | Q(title__icontains=search) | Q(client__legal_name__icontains=search)
                       | Q(client__trade_name__icontains=search))
    return qs.order_by("-created_at", "-pk")


def contract_get(*, tenant, viewer: Membership, reference: str) -> Contract:
    """A contract as `viewer` may see it (clients: their own, once sent), or Http404."""
    _check(tenant, viewer)
    qs = Contract.objects.select_related("client", "provider", "sla_policy__calendar", "account_manager")
    if viewer.is_client:
        qs = qs.filter(client_id=viewer.organization_id).exclude(status=ContractStatus.DRAFT)
    return get_for_tenant(qs, tenant, reference=reference)


def _for_ticket(for_client: bool) -> PreparedSelect:
    def build(v):
        covered = ContractMaintenanceType.objects.filter(
            contract=OuterRef("pk"), tenant_id=OuterRef("tenant_id"), maintenance_type=v["maintenance_type"])
        qs = Contract.objects.select_related("client", "sla_policy__calendar").annotate(_covers=Exists(covered))
        if for_client:
            qs = qs.filter(client_id=v["organization_id"]).exclude(status=ContractStatus.DRAFT)
        return qs.filter(tenant_id=v["tenant_id"], reference=v["reference"])[:21]  # as .get()

    params = {"tenant_id": int, "reference": str, "maintenance_type": str}
    return PreparedSelect(build, **params, **({"organization_id": int} if for_client else {}))


_FOR_TICKET = {False: _for_ticket(False), True: _for_ticket(True)}


def contract_for_ticket(*, tenant, viewer: Membership, reference: str, maintenance_type: str) -> Contract:
    """The contract a new ticket is opened on, as `viewer` may see it (as `contract_get`),
    with what opening a ticket reads and nothing more, in one query: its client, its SLA
    policy and calendar, and whether it covers `maintenance_type` (the answer
    `contracts.rules.contract_covers` then gives without asking the database). Http404
    when the viewer may not see it. The statement is compiled once per process (it is
    ticket creation's: portal.prepared)."""
    _check(tenant, viewer)
    if tenant is None or not isinstance(reference, str) or not isinstance(maintenance_type, str):
        raise Http404(_("Not found."))
    values = {"tenant_id": tenant.pk, "reference": reference, "maintenance_type": maintenance_type}
    if viewer.is_client:
        values["organization_id"] = viewer.organization_id
    found = _FOR_TICKET[viewer.is_client].fetch(**values)
    if not found:
        raise Http404(_("Not found."))
    if len(found) > 1:
        raise Contract.MultipleObjectsReturned(f"{len(found)} contracts {reference!r}")
    contract = found[0]
    contract.covered_types = {maintenance_type: contract.__dict__.pop("_covers")}
    return contract


def contract_document_get(*, contract: Contract, kind: str, version: int) -> ContractDocument:
    return get_for_tenant(contract.documents.all(), contract.tenant, kind=kind, version=version)


def contract_term_info(contract: Contract, today) -> dict:
    """The term in force on `today`, the next notice deadline and the days left to it."""
    terms = contract.terms()
    info: dict = {"current_term": None, "term_index": None, "next_notice_deadline": None, "days_to_notice": None}
    if terms is None:
        return info
    term = terms.term_on(today)
    if term is not None:
        info["current_term"] = term
        info["term_index"] = terms.term_index_on(today)
    if contract.notice_given_on is None and contract.status in (ContractStatus.ACTIVE, ContractStatus.SUSPENDED,
                                                                 ContractStatus.SENT, ContractStatus.DRAFT):
        deadline = terms.next_notice_deadline(today)
        if deadline is not None:
            info["next_notice_deadline"] = deadline
            info["days_to_notice"] = (deadline - today).days
    return info


def contracts_with_notice_within(*, tenant, viewer: Membership, today, days: int = 90) -> list[tuple[Contract, dict]]:
    """Active tacit-renewal contracts whose next notice deadline falls in the next `days` days."""
    rows = []
    qs = contract_list(tenant=tenant, viewer=viewer).filter(
        status__in=[ContractStatus.ACTIVE, ContractStatus.SUSPENDED], notice_given_on__isnull=True
    )
    for contract in qs:
        info = contract_term_info(contract, today)
        if info["days_to_notice"] is not None and 0 <= info["days_to_notice"] <= days:
            rows.append((contract, info))
    # Also contracts ending (non-renewing) within the window.
    for contract in qs.filter(end_date__isnull=False, end_date__gte=today):
        if (contract.end_date - today).days <= days and all(c.pk != contract.pk for c, _ in rows):
            rows.append((contract, {**contract_term_info(contract, today), "ends_on": contract.end_date}))
    return sorted(rows, key=lambda r: r[1].get("next_notice_deadline") or r[1].get("ends_on"))


def clause_template_list(*, tenant, viewer: Membership, language: str = "", active_only: bool = True) -> QuerySet:
    qs = ClauseTemplate.objects.filter(tenant=tenant)
    if active_only:
        qs = qs.filter(is_active=True)
    if viewer.is_client:
        qs = qs.none()
    if language:
        qs = qs.filter(language=language)
    return qs.order_by("kind", "language", "pk")


def contract_version_on(contract: Contract, day) -> ContractVersion | None:
    """The signed version that applied on `day` (tickets and invoices use it to know
    which SLA policy and price were in force), or None before the first one."""
    return (
        ContractVersion.objects.filter(tenant_id=contract.tenant_id, contract=contract, effective_from__lte=day)
        .order_by("-effective_from", "-number").first()
    )


def contracts_taking_requests(*, tenant, organization) -> QuerySet[Contract]:
    """The contracts a client organisation's request may be opened on (those the request
    form offers): active ones, and suspended ones (which take only what
    `contracts.rules.contract_accepts_request` lets through). The oldest first."""
    return (Contract.objects.filter(tenant=tenant, client=organization,
                                    status__in=[ContractStatus.ACTIVE, ContractStatus.SUSPENDED])
            .select_related("client", "sla_policy").order_by("start_date", "created_at", "pk"))


def contract_for_request(*, tenant, organization, reference: str = "") -> Contract | None:
    """The contract of a request that does not choose one in a form (an e-mail): the one
    `reference` names (a `[CTR-…]` tag) when it is one of the organisation's; else the
    only one; else the organisation's default, its oldest active contract (the main one,
    signed first). None when the organisation has none, or `reference` names none of its."""
    contracts = list(contracts_taking_requests(tenant=tenant, organization=organization))
    if reference:
        return next((c for c in contracts if c.reference == reference), None)
    if len(contracts) <= 1:
        return contracts[0] if contracts else None
    active = [c for c in contracts if c.status == ContractStatus.ACTIVE]
    return (active or contracts)[0]
