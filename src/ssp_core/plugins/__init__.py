"""The pluggy seam: hook specifications, loading, and the registry of contributions."""
