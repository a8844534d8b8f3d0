"""The version of Puhui, in one place: read by the package, its build and every artifact."""

__version__ = "0.1.0"
