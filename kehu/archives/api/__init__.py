"""The archives in the API beyond the generic record endpoints."""
