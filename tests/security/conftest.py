"""The mail fixtures (shops, sends) and the settings fixtures (session tokens) for the attack-review tests."""

from tests.mail.conftest import make_send, us_shop, vn_shop  # noqa: F401
from tests.settings.conftest import auth, mint, shop  # noqa: F401
