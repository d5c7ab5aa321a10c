"""What customers answer: survey answers per email (`/s/<token>`) and their birthday (`/b/<token>`).

Below the engine: step conditions and the measures read answers through `app.answers.store`;
this package stands on the email record (`app.records`), the customers and the store client,
and imports nothing of the automations.
"""
