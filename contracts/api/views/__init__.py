"""The contracts app's API views, one module per sub-domain: `parties` (organisations
and contacts) and `contracts` (contracts and the clause library)."""
