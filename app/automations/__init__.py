"""Automations: the engine (timing, consent, caps, exactly-once) and one module per automation."""
