"""Fieldmark: self-hosted, privacy-first web and product analytics."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fieldmark")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
