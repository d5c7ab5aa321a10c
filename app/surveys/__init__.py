"""What the win-back and feedback surveys ask and what their answers add up to.

The answers themselves are recorded by `app.answers`; this package names the choices in
both languages (for the emails and the notices to the shop) and sums the NPS answers for
the settings page and `/api/metrics` (`automations.feedback.nps`).
"""
