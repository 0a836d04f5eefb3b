"""Reading the contracts app, one module per sub-domain: `parties` (organisations and
contacts) and `contracts` (contracts, their documents, terms and versions, the clause
library)."""
