"""The contract lifecycle: draft → sent → active ⇄ suspended → terminated / expired.

Every transition is one function that checks who may act, what must be filled in and
the current state, changes the contract in a transaction and writes the audit log.
Term, renewal and notice dates come from the pure `contracts.terms` module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.events import contract_event_payload
from contracts.models import (
    Amendment,
    ClauseTemplate,
    Contract,
    ContractClause,
    ContractMaintenanceType,
    ContractStatus,
    ContractTerm,
    ContractVersion,
    CoveredItem,
    Exclusion,
    Organization,
    OrganizationKind,
)
from contracts.terms import ContractTermsError
from portal.audit import audit_log, changed, snapshot
from portal.events import emit
from portal.exceptions import ApplicationError
from portal.permissions import require
from portal.sequences import sequence_next
from portal.tenancy import assert_same_tenant

__all__ = [
    "CONTRACT_FIELDS",
    "clause_template_save",
    "contract_clause_update",
    "clause_library_seed",
    "contract_activate",
    "contract_amend",
    "contract_create",
    "contract_render_pdf",
    "contract_renew",
    "contract_resume",
    "contract_send",
    "contract_set_clauses",
    "contract_set_scope",
    "contract_snapshot",
    "contract_suspend",
    "contract_terminate",
    "contract_update",
]

CONTRACT_FIELDS = (
    "title", "object", "account_manager", "sla_policy", "remote_intervention", "on_site_intervention",
    "start_date", "initial_months", "renewal", "renewal_months", "notice_months", "notice_days",
    "language", "currency", "billing_model", "monthly_fee", "hourly_rate", "included_minutes", "vat_rate",
    "payment_terms_days", "price_revision", *("rollover_cap_minutes", "increment_minutes", "service_credits",
                                             "penalty_cap_percent"),
)
# What an amendment may change on an active contract.
AMENDABLE_FIELDS = (
    "title", "object", "sla_policy", "remote_intervention", "on_site_intervention", "renewal", "renewal_months",
    "notice_months", "notice_days", "billing_model", "monthly_fee", "hourly_rate", "included_minutes", "vat_rate",
    "payment_terms_days", "price_revision", *("rollover_cap_minutes", "increment_minutes", "service_credits",
                                             "penalty_cap_percent"),
)
# Accepted as input and turned into a field by the model (`Contract.included_hours`
# sets `included_minutes`), for the forms and API that still speak in hours.
INPUT_ALIASES = ("included_hours",)
# An amendment may also reprice tickets: {"ticket_prices": {"corrective": "120.00"}}.
AMENDABLE_EXTRAS = ("ticket_prices",)




def _refuse(message: str, code: str = "invalid_state") -> None:
    raise ApplicationError(message, code=code)


def _lock(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract.pk, tenant_id=contract.tenant_id)


def _require_status(contract: Contract, *allowed: str, action: str) -> None:
    if contract.status not in allowed:
        _refuse(
            _("Cannot %(action)s a contract that is %(status)s.")
            % {"action": action, "status": contract.get_status_display().lower()}
        )


def _check_terms(contract: Contract) -> None:
    if contract.start_date is None:
        return
    try:
        contract.terms()
    except ContractTermsError as exc:
        field = next((f for f in ("initial_months", "renewal_months", "notice_months", "notice_days", "renewal")
                      if f in str(exc)), "start_date")
        raise ValidationError({field: [str(exc)]}) from exc


def _check_parties(contract: Contract) -> None:
    errors = {}
    if contract.client_id and contract.client.kind != OrganizationKind.CLIENT:
        errors["client"] = [_("The client must be a client organisation.")]
    if contract.provider_id and contract.provider.kind != OrganizationKind.PROVIDER:
        errors["provider"] = [_("The provider must be one of your provider entities.")]
    if errors:
        raise ValidationError(errors)
    assert_same_tenant(contract, contract.client, contract.provider, contract.sla_policy)


def check_plan_prices(billing_model: str, maintenance_types) -> None:
    """A per-ticket plan bills each ticket of an included type at that type's price
    (BILLING.md B7): every covered, included type needs one."""
    if billing_model != "per_ticket":
        return
    missing = [m.maintenance_type for m in maintenance_types if m.included and m.ticket_price is None]
    if missing:
        raise ValidationError({"ticket_price": [
            _("A per-ticket plan needs a price per ticket for each included maintenance type (missing: %(types)s).")
            % {"types": ", ".join(sorted(missing))}]})


def _apply_ticket_prices(rows_list: list[ContractMaintenanceType], prices: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Reprice tickets by amendment, on the given rows (not saved); returns
    {type: [old, new]} for the audit log."""
    if not isinstance(prices, Mapping):
        raise ValidationError({"ticket_prices": [_("Give a price per maintenance type.")]})
    rows = {m.maintenance_type: m for m in rows_list}
    diff: dict[str, list[Any]] = {}
    for mtype, raw in prices.items():
        row = rows.get(mtype)
        if row is None:
            raise ValidationError({"ticket_prices": [_("The contract does not cover %(type)s maintenance.")
                                                     % {"type": mtype}]})
        old = row.ticket_price
        row.ticket_price = None if raw in (None, "") else raw
        try:
            row.full_clean(exclude=["contract", "tenant"], validate_unique=False)
        except ValidationError as exc:
            raise ValidationError({"ticket_price": exc.messages}) from exc
        if old != row.ticket_price:
            diff[mtype] = [str(old) if old is not None else None,
                           str(row.ticket_price) if row.ticket_price is not None else None]
    return diff


# ---------------------------------------------------------------------- drafting


@transaction.atomic
def contract_create(*, tenant, actor, client: Organization, provider: Organization, today: date | None = None,
                    **data: Any) -> Contract:
    require(actor, "contract.create", tenant=tenant)
    unknown = set(data) - set(CONTRACT_FIELDS) - set(INPUT_ALIASES)
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in sorted(unknown)})
    data.setdefault("account_manager", actor)
    contract = Contract(tenant=tenant, client=client, provider=provider, **data)
    _check_parties(contract)
    contract.full_clean(exclude=["reference"])
    _check_terms(contract)
    year = (today or timezone.localdate()).year
    contract.reference = f"CTR-{year}-{sequence_next(tenant=tenant, key=f'contract-{year}'):04d}"
    contract.save()
    audit_log(tenant=tenant, actor=actor, action="contract.create", obj=contract, organization=client,
              changes=snapshot(contract, ("client", "provider", *CONTRACT_FIELDS)))
    return contract


@transaction.atomic
def contract_update(*, contract: Contract, actor, **data: Any) -> Contract:
    """Edit a draft. Once sent, a contract changes only by amendment."""
    require(actor, "contract.update", contract)
    contract = _lock(contract)
    _require_status(contract, ContractStatus.DRAFT, action=_("edit"))
    allowed = (*CONTRACT_FIELDS, "client", "provider")
    unknown = set(data) - set(allowed) - set(INPUT_ALIASES)
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in sorted(unknown)})
    before = snapshot(contract, allowed)
    for name, value in data.items():
        setattr(contract, name, value)
    _check_parties(contract)
    contract.full_clean()
    _check_terms(contract)
    check_plan_prices(contract.billing_model, list(contract.maintenance_types.all()))
    diff = changed(before, snapshot(contract, allowed))
    if diff:
        contract.save()
        audit_log(tenant=contract.tenant, actor=actor, action="contract.update", obj=contract,
                  organization=contract.client, changes=diff)
    return contract


@transaction.atomic
def contract_set_scope(
    *, contract: Contract, actor, items: Iterable[Mapping[str, Any]] | None = None,
    exclusions: Iterable[str] | None = None, maintenance_types: Iterable[Mapping[str, Any]] | None = None,
) -> Contract:
    """Replace the scope of a draft: covered items, exclusions, maintenance types."""
    require(actor, "contract.set_scope", contract)
    contract = _lock(contract)
    _require_status(contract, ContractStatus.DRAFT, action=_("change the scope of"))
    tenant_id = contract.tenant_id
    changes: dict[str, Any] = {}
    if items is not None:
        rows = []
        for index, raw in enumerate(items, start=1):
            item = CoveredItem(tenant_id=tenant_id, contract=contract, **dict(raw))
            try:
                item.full_clean(exclude=["contract", "tenant"])
            except ValidationError as exc:
                raise ValidationError({"items": [f"{_('Item')} {index}: {m}" for m in exc.messages]}) from exc
            rows.append(item)
        CoveredItem.objects.filter(tenant_id=tenant_id, contract=contract).delete()
        CoveredItem.objects.bulk_create(rows)
        changes["items"] = [f"{i.get_category_display()}: {i}" for i in rows]
    if exclusions is not None:
        texts = [t.strip() for t in exclusions if t and t.strip()]
        Exclusion.objects.filter(tenant_id=tenant_id, contract=contract).delete()
        Exclusion.objects.bulk_create([Exclusion(tenant_id=tenant_id, contract=contract, text=t[:300]) for t in texts])
        changes["exclusions"] = texts
    if maintenance_types is not None:
        rows, seen = [], set()
        for raw in maintenance_types:
            mt = ContractMaintenanceType(tenant_id=tenant_id, contract=contract, **dict(raw))
            try:
                mt.full_clean(exclude=["contract", "tenant"], validate_unique=False)
            except ValidationError as exc:
                raise ValidationError({"maintenance_types": exc.messages}) from exc
            if mt.maintenance_type in seen:
                raise ValidationError({"maintenance_types": [_("%(t)s is listed twice.") % {"t": mt.maintenance_type}]})
            seen.add(mt.maintenance_type)
            rows.append(mt)
        check_plan_prices(contract.billing_model, rows)
        ContractMaintenanceType.objects.filter(tenant_id=tenant_id, contract=contract).delete()
        ContractMaintenanceType.objects.bulk_create(rows)
        changes["maintenance_types"] = [
            f"{m.maintenance_type}{'' if m.included else ' (quote)'}"
            f"{f' {m.ticket_price}' if m.ticket_price is not None else ''}" for m in rows]
    if changes:
        audit_log(tenant=contract.tenant, actor=actor, action="contract.scope", obj=contract,
                  organization=contract.client, changes=changes)
    return contract


@transaction.atomic
def contract_set_clauses(
    *, contract: Contract, actor, clauses: Iterable[Mapping[str, Any]] | None = None,
    template_ids: Iterable[int] | None = None,
) -> Contract:
    """Replace the clauses of a draft, from explicit texts and/or templates of the
    tenant's library (copied, so later edits of the library change nothing here)."""
    require(actor, "contract.set_clauses", contract)
    contract = _lock(contract)
    _require_status(contract, ContractStatus.DRAFT, action=_("edit the clauses of"))
    rows: list[ContractClause] = []
    for raw in clauses or []:
        rows.append(ContractClause(tenant_id=contract.tenant_id, contract=contract, kind=raw.get("kind", ""),
                                   title=raw.get("title", ""), body=raw.get("body", "")))
    if template_ids:
        ids = list(template_ids)
        templates = {t.pk: t for t in ClauseTemplate.objects.filter(tenant_id=contract.tenant_id, pk__in=ids)}
        missing = [i for i in ids if i not in templates]
        if missing:
            raise ValidationError({"template_ids": [_("Unknown clause template: %(ids)s.") % {"ids": missing}]})
        from contracts.clause_library import ORDER

        # Library clauses follow the usual order of a contract, whatever order they were ticked in.
        ids.sort(key=lambda i: (ORDER.index(templates[i].kind) if templates[i].kind in ORDER else len(ORDER), i))
        rows.extend(ContractClause(tenant_id=contract.tenant_id, contract=contract, kind=templates[i].kind,
                                   title=templates[i].title, body=templates[i].body) for i in ids)
    for position, row in enumerate(rows, start=1):
        row.position = position
        try:
            row.full_clean(exclude=["contract", "tenant"])
        except ValidationError as exc:
            raise ValidationError({"clauses": [f"{_('Clause')} {position}: {m}" for m in exc.messages]}) from exc
    ContractClause.objects.filter(tenant_id=contract.tenant_id, contract=contract).delete()
    ContractClause.objects.bulk_create(rows)
    audit_log(tenant=contract.tenant, actor=actor, action="contract.clauses", obj=contract,
              organization=contract.client, changes={"clauses": [r.title for r in rows]})
    return contract


# ---------------------------------------------------------------------- lifecycle


def contract_missing(contract: Contract) -> list[str]:
    """What must still be filled in before the contract can be sent or activated."""
    missing = []
    if not contract.client_id or not contract.provider_id:
        missing.append(_("both parties"))
    if not contract.object.strip():
        missing.append(_("the object"))
    if not contract.items.exists():
        missing.append(_("the scope (at least one covered item)"))
    if not contract.maintenance_types.exists():
        missing.append(_("at least one maintenance type"))
    if not (contract.remote_intervention or contract.on_site_intervention):
        missing.append(_("an intervention mode"))
    if contract.sla_policy_id is None:
        missing.append(_("an SLA policy"))
    if contract.start_date is None:
        missing.append(_("the start date"))
    return missing


def _require_complete(contract: Contract, action: str) -> None:
    missing = contract_missing(contract)
    if missing:
        raise ApplicationError(
            _("Cannot %(action)s: missing %(missing)s.") % {"action": action, "missing": ", ".join(missing)},
            code="incomplete", extra={"fields": {"missing": missing}},
        )


def contract_snapshot(contract: Contract) -> dict[str, Any]:
    """Everything that defines the contract, for an immutable version."""
    data = snapshot(contract, ("client", "provider", *CONTRACT_FIELDS))
    data["reference"] = contract.reference
    data["sla_policy_code"] = contract.sla_policy.code if contract.sla_policy_id else None
    data["items"] = [snapshot(i, ("category", "name", "identifier", "site", "criticality", "quantity"))
                     for i in contract.items.all()]
    data["exclusions"] = [e.text for e in contract.exclusions.all()]
    data["maintenance_types"] = [snapshot(m, ("maintenance_type", "included", "details", "ticket_price"))
                                 for m in contract.maintenance_types.all()]
    data["clauses"] = [snapshot(c, ("kind", "title", "body")) for c in contract.clauses.all()]
    return data


def _queue_document(contract: Contract, kind: str, version: int) -> None:
    from contracts.documents import document_request

    document_request(contract=contract, kind=kind, version=version)


@transaction.atomic
def contract_send(*, contract: Contract, actor, now: datetime | None = None) -> Contract:
    """Send a complete draft for signature; its clauses are frozen from now on."""
    require(actor, "contract.send", contract)
    contract = _lock(contract)
    _require_status(contract, ContractStatus.DRAFT, action=_("send"))
    _require_complete(contract, _("send the contract"))
    contract.status = ContractStatus.SENT
    contract.sent_at = now or timezone.now()
    contract.save(update_fields=["status", "sent_at", "updated_at"])
    audit_log(tenant=contract.tenant, actor=actor, action="contract.send", obj=contract, organization=contract.client,
              changes={"status": ["draft", "sent"]})
    _queue_document(contract, "contract", contract.version)
    return contract


@transaction.atomic
def contract_activate(*, contract: Contract, actor, signed_on: date, client_signatory: str = "",
                      now: datetime | None = None) -> Contract:
    """Record the signature: the contract becomes active, its first term and version 1
    are recorded."""
    require(actor, "contract.activate", contract)
    contract = _lock(contract)
    _require_status(contract, ContractStatus.SENT, action=_("activate"))
    _require_complete(contract, _("activate the contract"))
    if signed_on is None:
        raise ValidationError({"signed_on": [_("The signature date is required.")]})
    terms = contract.terms()
    first = terms.term(1)
    contract.status = ContractStatus.ACTIVE
    contract.signed_on = signed_on
    contract.client_signatory = client_signatory
    contract.activated_at = now or timezone.now()
    contract.end_date = terms.end_date  # None for tacit and indefinite contracts
    contract.save()
    ContractTerm.objects.create(tenant=contract.tenant, contract=contract, index=1, first_day=first.first_day,
                                last_day=first.last_day, kind="initial", monthly_fee=contract.monthly_fee)
    ContractVersion.objects.create(tenant=contract.tenant, contract=contract, number=contract.version,
                                   effective_from=contract.start_date, snapshot=contract_snapshot(contract))
    audit_log(tenant=contract.tenant, actor=actor, action="contract.activate", obj=contract,
              organization=contract.client, changes={"status": ["sent", "active"], "signed_on": signed_on})
    emit(tenant_id=contract.tenant_id, event_type="contract.activated", payload=contract_event_payload(contract))
    return contract


@transaction.atomic
def contract_suspend(*, contract: Contract, actor, reason: str, now: datetime | None = None) -> Contract:
    """Stop interventions (e.g. unpaid invoices). New tickets are refused meanwhile.
    `actor` may be `SYSTEM` for a scheduled job (billing's unpaid-invoice run)."""
    require(actor, "contract.suspend", contract)
    contract = _lock(contract)
    _require_status(contract, ContractStatus.ACTIVE, action=_("suspend"))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason of the suspension.")]})
    contract.status = ContractStatus.SUSPENDED
    contract.suspended_at = now or timezone.now()
    contract.suspension_reason = reason.strip()[:200]
    contract.save(update_fields=["status", "suspended_at", "suspension_reason", "updated_at"])
    audit_log(tenant=contract.tenant, actor=actor, action="contract.suspend", obj=contract,
              organization=contract.client, changes={"status": ["active", "suspended"], "reason": reason})
    return contract


@transaction.atomic
def contract_resume(*, contract: Contract, actor) -> Contract:
    require(actor, "contract.resume", contract)
    contract = _lock(contract)
    _require_status(contract, ContractStatus.SUSPENDED, action=_("resume"))
    contract.status = ContractStatus.ACTIVE
    contract.suspended_at = None
    contract.suspension_reason = ""
    contract.save(update_fields=["status", "suspended_at", "suspension_reason", "updated_at"])
    audit_log(tenant=contract.tenant, actor=actor, action="contract.resume", obj=contract,
              organization=contract.client, changes={"status": ["suspended", "active"]})
    return contract


TERMINATION_REASONS = ("notice", "breach", "force_majeure", "mutual_agreement")


@transaction.atomic
def contract_terminate(
    *, contract: Contract, actor, notice_given_on: date, given_by: str, reason: str,
    effective_date: date | None = None, today: date | None = None,
) -> Contract:
    """Record a termination. With `reason="notice"` the last covered day comes from the
    contract's terms (`ContractTerms.last_day_if_notice`); for breach, force majeure or
    mutual agreement it is `effective_date` (default: the notice date). The contract
    stays active until then; the daily job ends it."""
    require(actor, "contract.terminate", contract)
    contract = _lock(contract)
    _require_status(contract, ContractStatus.ACTIVE, ContractStatus.SUSPENDED, action=_("terminate"))
    if contract.notice_given_on is not None:
        _refuse(_("A termination is already recorded (notice given on %(d)s).") % {"d": contract.notice_given_on},
                code="already_terminated")
    errors = {}
    if given_by not in ("provider", "client"):
        errors["given_by"] = [_("Either the provider or the client gives notice.")]
    if reason not in TERMINATION_REASONS:
        errors["reason"] = [_("The reason is one of: %(r)s.") % {"r": ", ".join(TERMINATION_REASONS)}]
    if notice_given_on is None:
        errors["notice_given_on"] = [_("The notice date is required.")]
    elif notice_given_on < contract.start_date:
        errors["notice_given_on"] = [_("The notice date is before the start of the contract.")]
    elif reason == "notice" and contract.end_date is not None and notice_given_on > contract.end_date:
        # Not yet marked expired by the daily job, but already over.
        errors["notice_given_on"] = [_("The notice date is after the end of the contract.")]
    if errors:
        raise ValidationError(errors)
    if reason == "notice":
        if contract.end_date is not None and contract.renewal != "tacit":
            # A non-renewing contract ends anyway at its last term: the initial one, or the
            # last express renewal (which `ContractTerms` does not know about).
            end = contract.end_date
        else:
            end = contract.terms().last_day_if_notice(notice_given_on)
            if contract.end_date is not None and end > contract.end_date:
                end = contract.end_date
    else:
        end = effective_date or notice_given_on
        if end < notice_given_on:
            raise ValidationError({"effective_date": [_("The end cannot be before the notice date.")]})
    contract.notice_given_on = notice_given_on
    contract.notice_given_by = given_by
    contract.termination_reason = reason
    contract.end_date = end
    today = today or timezone.localdate()
    if end < today:
        contract.status = ContractStatus.TERMINATED
    contract.save()
    audit_log(tenant=contract.tenant, actor=actor, action="contract.terminate", obj=contract,
              organization=contract.client,
              changes={"notice_given_on": notice_given_on, "given_by": given_by, "reason": reason, "end_date": end})
    emit(tenant_id=contract.tenant_id, event_type="contract.terminated",
         payload=contract_event_payload(contract, notice_given_on=notice_given_on.isoformat(), given_by=given_by,
                                        reason=reason))
    return contract


@transaction.atomic
def contract_renew(*, contract: Contract, actor, months: int | None = None, monthly_fee: Decimal | None = None,
                   today: date | None = None) -> ContractTerm:
    """Renew explicitly (express renewal): a new term follows the current last term,
    optionally with a revised monthly fee."""
    require(actor, "contract.renew", contract)
    contract = _lock(contract)
    _require_status(contract, ContractStatus.ACTIVE, ContractStatus.SUSPENDED, action=_("renew"))
    if contract.initial_months is None:
        _refuse(_("An indefinite contract has no term to renew."), code="indefinite")
    if contract.notice_given_on is not None:
        _refuse(_("Notice has been given: the contract cannot be renewed."), code="already_terminated")
    if contract.renewal == "tacit":
        # Its terms follow the anniversary grid by themselves (the daily run records
        # them); an explicit term of another length would overlap them.
        _refuse(_("This contract renews tacitly; revise its price or terms with an amendment."), code="tacit")
    last = contract.term_history.order_by("-index").first()
    months = months or contract.renewal_months or contract.initial_months
    if months <= 0:
        raise ValidationError({"months": [_("The renewal must last at least one month.")]})
    if monthly_fee is not None and monthly_fee < 0:
        raise ValidationError({"monthly_fee": [_("The fee cannot be negative.")]})
    from contracts.terms import add_months

    if last is None or last.last_day is None:
        _refuse(_("The contract has no term to renew."), code="no_term")
    first_day = last.last_day + timedelta(days=1)
    last_day = add_months(first_day, months) - timedelta(days=1)
    fee = monthly_fee if monthly_fee is not None else contract.monthly_fee
    term = ContractTerm.objects.create(tenant=contract.tenant, contract=contract, index=last.index + 1,
                                       first_day=first_day, last_day=last_day, kind="express", monthly_fee=fee)
    before_fee = contract.monthly_fee
    contract.monthly_fee = fee
    if contract.renewal != "tacit":
        contract.end_date = last_day
    contract.save()
    audit_log(tenant=contract.tenant, actor=actor, action="contract.renew", obj=contract,
              organization=contract.client,
              changes={"term": [last.index, term.index], "last_day": last_day, "monthly_fee": [before_fee, fee]})
    return term


@transaction.atomic
def contract_amend(*, contract: Contract, actor, signed_on: date, effective_date: date, summary: str,
                   changes: Mapping[str, Any]) -> Amendment:
    """Sign an amendment: apply its changes, number it, and keep the new version as an
    immutable snapshot effective from `effective_date`."""
    require(actor, "contract.amend", contract)
    contract = _lock(contract)
    _require_status(contract, ContractStatus.ACTIVE, ContractStatus.SUSPENDED, action=_("amend"))
    errors = {}
    if not (summary or "").strip():
        errors["summary"] = [_("Summarise what the amendment changes.")]
    if effective_date is None:
        errors["effective_date"] = [_("The effective date is required.")]
    elif effective_date < contract.start_date:
        errors["effective_date"] = [_("The effective date is before the start of the contract.")]
    unknown = set(changes) - set(AMENDABLE_FIELDS) - set(INPUT_ALIASES) - set(AMENDABLE_EXTRAS)
    if unknown:
        errors["changes"] = [_("These cannot be changed by amendment: %(f)s.") % {"f": ", ".join(sorted(unknown))}]
    if errors:
        raise ValidationError(errors)
    last_version = contract.versions.order_by("-number").first()
    if last_version and effective_date < last_version.effective_from:
        raise ValidationError({"effective_date": [_("An amendment cannot take effect before the current version.")]})
    before = snapshot(contract, AMENDABLE_FIELDS)
    for name, value in changes.items():
        if name not in AMENDABLE_EXTRAS:
            setattr(contract, name, value)
    contract.full_clean()
    _check_parties(contract)
    _check_terms(contract)
    maintenance_types = list(contract.maintenance_types.all())
    price_diff = _apply_ticket_prices(maintenance_types, changes["ticket_prices"]) if "ticket_prices" in changes else {}
    check_plan_prices(contract.billing_model, maintenance_types)
    diff = changed(before, snapshot(contract, AMENDABLE_FIELDS))
    if price_diff:
        diff["ticket_prices"] = price_diff
        for row in maintenance_types:
            if row.maintenance_type in price_diff:
                row.save(update_fields=["ticket_price", "updated_at"])
    number = contract.amendments.count() + 1
    amendment = Amendment.objects.create(tenant=contract.tenant, contract=contract, number=number,
                                         signed_on=signed_on, effective_date=effective_date,
                                         summary=summary.strip(), changes=diff)
    contract.version += 1
    if contract.terms() is not None and contract.notice_given_on is None:
        end = contract.terms().end_date
        # `ContractTerms` knows only the initial term: keep the end of an express renewal.
        last = contract.term_history.order_by("-index").first()
        if end is not None and last is not None and last.last_day is not None and last.last_day > end:
            end = last.last_day
        contract.end_date = end
    contract.save()
    ContractVersion.objects.create(tenant=contract.tenant, contract=contract, number=contract.version,
                                   effective_from=effective_date, snapshot=contract_snapshot(contract),
                                   amendment=amendment)
    audit_log(tenant=contract.tenant, actor=actor, action="contract.amend", obj=contract,
              organization=contract.client, changes={"amendment": number, **diff})
    _queue_document(contract, "amendment", contract.version)
    return amendment


@transaction.atomic
def contract_render_pdf(*, contract: Contract, actor):
    """Render the PDF of the contract's current version again (e.g. after a template
    change). A draft has no document: it is rendered when the contract is sent."""
    require(actor, "contract.render_pdf", contract)
    if contract.status == ContractStatus.DRAFT:
        raise ValidationError({"status": [_("A draft has no document yet: send it first.")]})
    from contracts.documents import document_request

    return document_request(contract=contract, kind="contract", version=contract.version)


def clause_library_seed(*, tenant) -> int:
    """Give a tenant the default clause library in French and English (kinds it already
    has in a language are kept). Returns the number of templates created."""
    from contracts.clause_library import DEFAULT_CLAUSES, ORDER

    existing = set(ClauseTemplate.objects.filter(tenant=tenant).values_list("kind", "language"))
    rows = [
        ClauseTemplate(tenant=tenant, kind=kind, language=language, title=title, body=body)
        for kind in ORDER
        for language, (title, body) in DEFAULT_CLAUSES[kind].items()
        if (kind, language) not in existing
    ]
    ClauseTemplate.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def contract_clause_update(*, contract: Contract, actor, clause_id: int, title: str, body: str) -> ContractClause:
    """Edit the contract's own copy of a clause, while the contract is a draft."""
    require(actor, "contract.clause_update", contract)
    contract = _lock(contract)
    _require_status(contract, ContractStatus.DRAFT, action=_("edit the clauses of"))
    from portal.tenancy import get_for_tenant

    clause = get_for_tenant(contract.clauses.all(), contract.tenant, pk=clause_id)
    before = snapshot(clause, ("title", "body"))
    clause.title, clause.body = (title or "").strip(), (body or "").strip()
    clause.full_clean()
    diff = changed(before, snapshot(clause, ("title", "body")))
    if diff:
        clause.save()
        audit_log(tenant=contract.tenant, actor=actor, action="contract.clause_update", obj=contract,
                  organization=contract.client, changes={"clause": clause.pk, **diff})
    return clause


CLAUSE_TEMPLATE_FIELDS = ("kind", "language", "title", "body", "is_active")


@transaction.atomic
def clause_template_save(*, tenant, actor, template: ClauseTemplate | None = None, **data: Any) -> ClauseTemplate:
    """Create or edit a clause of the tenant's library. Contracts keep their own copies,
    so an edit here never changes a contract already drafted."""
    require(actor, "clause_template.save", tenant=tenant)
    unknown = set(data) - set(CLAUSE_TEMPLATE_FIELDS)
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in sorted(unknown)})
    creating = template is None
    if creating:
        template = ClauseTemplate(tenant=tenant)
    elif template.tenant_id != tenant.id:
        raise AssertionError("clause template of another tenant")
    before = {} if creating else snapshot(template, CLAUSE_TEMPLATE_FIELDS)
    for name, value in data.items():
        setattr(template, name, value)
    template.full_clean()
    template.save()
    diff = changed(before, snapshot(template, CLAUSE_TEMPLATE_FIELDS))
    if diff:
        audit_log(tenant=tenant, actor=actor, action="clause_template.create" if creating else "clause_template.update",
                  obj=template, object_ref=str(template.pk), changes=diff)
    return template
