"""The contracts app's pages, one module per sub-domain: `parties` (organisations and
their contacts) and `contracts` (drafting, the contract page and its lifecycle actions,
PDF downloads, the clause library)."""
