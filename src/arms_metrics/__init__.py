"""arms-metrics: quarterly FMS and export-licensing performance metrics."""

__version__ = "0.1.0"
