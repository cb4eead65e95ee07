"""Web chat and HTTP API: thin adapters over the assistant."""
