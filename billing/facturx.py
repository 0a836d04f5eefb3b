"""Factur-X (EN 16931 profile): the CII XML of an invoice or a credit note, built with
`drafthorse`, and its embedding into a PDF/A-3 with `factur-x`.

No ORM here: `billing.documents` turns an `Invoice` or a `CreditNote` into an
`FxDocument` (plain values), this module turns that into XML and PDF bytes. The XML
is checked against the official EN 16931 schema shipped by `factur-x` before it is
embedded, so an invalid invoice never reaches a file.

Mapping decisions (BILLING.md B10, B11; EN 16931 business terms in brackets):
- each invoice line but the SLA credit is an invoice line [BG-25]; quantities with
  UN/ECE Rec. 20 units (month MON, hour HUR, ticket and unit C62);
- the SLA service credit is a document-level allowance [BG-20] with its reason, taxed
  at the invoice's rate, so the tax basis is the lines' total minus the credit;
- one VAT breakdown [BG-23] (one rate per plan): standard rate "S", or "E" (exempt,
  with its reason) when the rate is 0;
- parties: the SIRET as the party identifier (ICD 0009) and the SIREN as the legal
  registration (ICD 0002), the VAT number (scheme VA), the e-mail as the electronic
  address (scheme EM) when known;
- the French mandatory mentions as notes with their subject codes (PMD late-payment
  interest, PMT the €40 recovery indemnity, AAB no discount for early payment);
- a credit note is type 381 with positive amounts and the invoice it corrects [BG-3].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

PROFILE_ID = "urn:cen.eu:en16931:2017"
INVOICE, CREDIT_NOTE = "380", "381"
UNIT_CODES = {"month": "MON", "hour": "HUR", "ticket": "C62", "unit": "C62"}
TWO = Decimal("0.01")


class FacturXError(ValueError):
    """The document could not be turned into a valid Factur-X XML."""


@dataclass(frozen=True)
class FxParty:
    name: str
    address_line1: str
    postal_code: str
    city: str
    country: str
    address_line2: str = ""
    siret: str = ""
    siren: str = ""
    vat_number: str = ""
    email: str = ""


@dataclass(frozen=True)
class FxLine:
    number: int
    name: str
    quantity: Decimal
    unit: str  # month | hour | ticket | unit
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class FxAllowance:
    reason: str
    amount: Decimal  # positive: what is taken off the lines' total


@dataclass
class FxDocument:
    type_code: str  # INVOICE or CREDIT_NOTE
    number: str
    issue_date: date
    currency: str
    seller: FxParty
    buyer: FxParty
    lines: list[FxLine]
    vat_rate: Decimal
    net: Decimal
    vat: Decimal
    gross: Decimal
    allowances: list[FxAllowance] = field(default_factory=list)
    period: tuple[date, date] | None = None
    due_date: date | None = None
    payment_terms: str = ""
    notes: list[tuple[str, str]] = field(default_factory=list)  # (subject code, text)
    contract_reference: str = ""
    preceding_invoice: tuple[str, date | None] | None = None  # credit note: (number, issue date)
    iban: str = ""
    bic: str = ""
    vat_exemption_reason: str = ""
    language: str = "fr"

    @property
    def line_total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def allowance_total(self) -> Decimal:
        return sum((a.amount for a in self.allowances), Decimal("0.00"))


def _money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(TWO)


def _party(target, party: FxParty, *, with_ids: bool = True) -> None:
    from drafthorse.models.party import TaxRegistration

    target.name = party.name
    if with_ids and party.siret:
        target.global_id.add(("0009", party.siret))
    if party.siren:
        target.legal_organization.id = ("0002", party.siren)
    target.address.line_one = party.address_line1
    if party.address_line2:
        target.address.line_two = party.address_line2
    target.address.postcode = party.postal_code
    target.address.city_name = party.city
    target.address.country_id = party.country or "FR"
    if party.email:
        target.electronic_address.uri_ID = ("EM", party.email)
    if party.vat_number:
        target.tax_registrations.add(TaxRegistration(id=("VA", party.vat_number)))


def _category(rate: Decimal) -> str:
    return "S" if rate > 0 else "E"


def check_totals(doc: FxDocument) -> None:
    """The EN 16931 sums (BR-CO-10, 13, 15) hold, or FacturXError: the XML must say what
    the invoice says, to the cent."""
    if doc.line_total - doc.allowance_total != doc.net:
        raise FacturXError(f"net {doc.net} is not the lines {doc.line_total} minus allowances {doc.allowance_total}")
    if doc.net + doc.vat != doc.gross:
        raise FacturXError(f"gross {doc.gross} is not net {doc.net} plus VAT {doc.vat}")


def build_xml(doc: FxDocument) -> bytes:
    """The CII XML of `doc`, checked against the official Factur-X EN 16931 schema
    (FacturXError otherwise)."""
    from drafthorse.models.accounting import ApplicableTradeTax, CategoryTradeTax, TradeAllowanceCharge
    from drafthorse.models.document import Document
    from drafthorse.models.note import IncludedNote
    from drafthorse.models.payment import PaymentMeans, PaymentTerms
    from drafthorse.models.tradelines import LineItem

    check_totals(doc)
    rate = _money(doc.vat_rate)
    category = _category(rate)
    x = Document()
    x.context.guideline_parameter.id = PROFILE_ID
    x.header.id = doc.number
    x.header.type_code = doc.type_code
    x.header.issue_date_time = doc.issue_date
    for subject, text in doc.notes:
        note = IncludedNote()
        note.content = text
        note.subject_code = subject
        x.header.notes.add(note)

    _party(x.trade.agreement.seller, doc.seller)
    _party(x.trade.agreement.buyer, doc.buyer)
    if doc.contract_reference:
        x.trade.agreement.contract.issuer_assigned_id = doc.contract_reference

    settlement = x.trade.settlement
    settlement.currency_code = doc.currency
    if doc.iban:
        means = PaymentMeans()
        means.type_code = "58"  # SEPA credit transfer
        means.payee_account.iban = doc.iban
        if doc.bic:
            means.payee_institution.bic = doc.bic
        settlement.payment_means.add(means)
    if doc.period is not None:
        settlement.period.start, settlement.period.end = doc.period
    if doc.preceding_invoice is not None:
        number, issued_on = doc.preceding_invoice
        settlement.invoice_referenced_document.issuer_assigned_id = number
        if issued_on is not None:
            settlement.invoice_referenced_document.issue_date_time = issued_on

    for line in doc.lines:
        item = LineItem()
        item.document.line_id = str(line.number)
        item.product.name = line.name
        item.agreement.net.amount = _money(line.unit_price)
        item.delivery.billed_quantity = (Decimal(line.quantity), UNIT_CODES.get(line.unit, "C62"))
        item.settlement.trade_tax.type_code = "VAT"
        item.settlement.trade_tax.category_code = category
        item.settlement.trade_tax.rate_applicable_percent = rate
        item.settlement.monetary_summation.total_amount = _money(line.amount)
        x.trade.items.add(item)

    for allowance in doc.allowances:
        charge = TradeAllowanceCharge()
        charge.indicator = False
        charge.actual_amount = _money(allowance.amount)
        charge.reason = allowance.reason
        tax = CategoryTradeTax()
        tax.type_code = "VAT"
        tax.category_code = category
        tax.rate_applicable_percent = rate
        charge.trade_tax.add(tax)
        settlement.allowance_charge.add(charge)

    breakdown = ApplicableTradeTax()
    breakdown.calculated_amount = _money(doc.vat)
    breakdown.basis_amount = _money(doc.net)
    breakdown.type_code = "VAT"
    breakdown.category_code = category
    if category == "E":
        breakdown.exemption_reason = doc.vat_exemption_reason or "Exempt"
    breakdown.rate_applicable_percent = rate
    settlement.trade_tax.add(breakdown)

    if doc.payment_terms or doc.due_date:
        terms = PaymentTerms()
        if doc.payment_terms:
            terms.description = doc.payment_terms
        if doc.due_date:
            terms.due = doc.due_date
        settlement.terms.add(terms)

    totals = settlement.monetary_summation
    totals.line_total = _money(doc.line_total)
    totals.charge_total = Decimal("0.00")
    totals.allowance_total = _money(doc.allowance_total)
    totals.tax_basis_total = _money(doc.net)
    totals.tax_total = (_money(doc.vat), doc.currency)
    totals.grand_total = _money(doc.gross)
    totals.prepaid_total = Decimal("0.00")  # payments come later; the document says what is owed
    totals.due_amount = _money(doc.gross)
    try:
        xml = x.serialize(schema=None)  # validated below, against the official schema
    except Exception as exc:  # a required element left empty
        raise FacturXError(f"the Factur-X XML is incomplete: {exc}") from exc
    check_xml(xml)
    return xml


def check_xml(xml: bytes) -> None:
    """Validate against the official EN 16931 XSD shipped by `factur-x`."""
    import facturx

    try:
        facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    except Exception as exc:
        raise FacturXError(f"the Factur-X XML does not validate: {exc}") from exc


def embed(pdf: bytes, xml: bytes, *, doc: FxDocument, author: str) -> bytes:
    """A PDF/A-3 (as WeasyPrint wrote it, `pdf_variant="pdf/a-3b"`) carrying `xml` as
    factur-x.xml (AFRelationship Data) with the Factur-X XMP metadata."""
    import facturx

    kind = "Credit note" if doc.type_code == CREDIT_NOTE else "Invoice"
    metadata = {
        "author": author,
        "keywords": f"Factur-X, {kind}",
        "title": f"{author}: {kind} {doc.number}",
        "subject": f"Factur-X {kind.lower()} {doc.number} dated {doc.issue_date.isoformat()} issued by {author}",
    }
    lang = {"fr": "fr-FR", "en": "en-GB"}.get(doc.language, doc.language)
    return facturx.generate_from_binary(pdf, xml, flavor="factur-x", level="en16931", check_xsd=False,
                                        pdf_metadata=metadata, lang=lang)
