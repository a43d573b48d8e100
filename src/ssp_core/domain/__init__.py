"""The domain: pure attrs values and events, with no knowledge of storage or plugins."""
