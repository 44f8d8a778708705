"""Realistic demo data at scale: `pledge demo generate --customers N`.

`plan` decides, from a seed and a customer's number, everything that customer did; the
two writers turn a plan into rows: `through_actions` calls the Services' own actions (the
reference, used by the equivalence test), `bulk` (and `visits`,
for request logs and consent records) builds the same rows with the same model fields;
`rows` turns them into INSERT parameters in the worker processes (every value sealed,
indexed and its files encrypted by the vault's own code) and `writer` inserts them a
batch per transaction. `generate` runs the batches behind a progress bar. See docs/decisions and the
README's "Performance" section for the figures.
"""
