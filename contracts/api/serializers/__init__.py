"""What the contracts app's API reads and writes, one module per sub-domain: `parties`
and `contracts`."""
