"""Workflows as data: definitions, validation, the engine, explanations and diagrams."""
