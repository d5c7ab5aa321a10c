"""Who is due for a lifecycle email: set-based questions about a shop's customers and orders.

The lifecycle automations (welcome, repeat purchase, replenishment, birthday, anniversary,
loyalty) ask these; each answers for a whole shop in a few statements, on SQLite and PostgreSQL.
Orders count when they are not cancelled.
"""
