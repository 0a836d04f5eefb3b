"""The contracts app's forms, one module per sub-domain: `parties` and `contracts`."""
