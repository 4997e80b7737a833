"""The deterministic synthetic generator, apart from the engine: it uses only the shared
base (``config``), never ingest, compute or the site. ``generate.generate`` is the entry point.
"""
