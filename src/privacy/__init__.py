"""The privacy engine. Domain apps talk to it only through `privacy.api`."""
