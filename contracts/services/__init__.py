"""Services of the contracts app, by sub-domain: parties (organisations, contacts) and
contracts (drafting, lifecycle, amendments, renewals, documents)."""

from contracts.services.parties import *  # noqa: F403
from contracts.services.parties import CONTACT_FIELDS, ORGANIZATION_FIELDS  # noqa: F401
