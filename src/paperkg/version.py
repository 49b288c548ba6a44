"""The one source of paperkg's version (pyproject reads it from here through hatchling)."""

__version__ = "0.1.0"
