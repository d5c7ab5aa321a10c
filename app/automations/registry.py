"""The automations the app offers, in the order the settings page lists them.

Adding an automation is adding its module here; the engine, settings API and
preview read only this mapping.
"""

from app.automations import abandoned_cart, winback
from app.automations.base import Automation

AUTOMATIONS: dict[str, Automation] = {
    automation.key: automation for automation in (abandoned_cart.AUTOMATION, winback.AUTOMATION)
}
