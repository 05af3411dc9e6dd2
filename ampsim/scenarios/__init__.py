"""Scenario files: the document model, the YAML loader with line tracking, messages and schema."""
