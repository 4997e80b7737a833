"""Publication: what happens to cells and built sites around a release (revised flags).

Never calls ``site`` or ``compute``; ``pipeline.py`` orders the stages.
"""
