"""Disclosure control: primary and secondary suppression (``protect``) and the audit that
proves no suppressed cell can be worked out from the published ones (``audit``).
"""
