"""``python -m arms_metrics`` is the same as the ``arms-metrics`` command."""

from arms_metrics.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
