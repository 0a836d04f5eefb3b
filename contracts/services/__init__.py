"""Services of the contracts app, by sub-domain: parties (organisations, contacts) and
contracts (drafting, lifecycle, amendments, renewals, documents)."""

from contracts.services.contracts import *  # noqa: E402,F403
from contracts.services.parties import *  # noqa: F403
from contracts.services.parties import CONTACT_FIELDS, ORGANIZATION_FIELDS  # noqa: F401
from contracts.services.renewals import contracts_daily  # noqa: E402,F401
