"""Benchmark: what adding a one-step automation touches.

    .venv/bin/python bench/new_automation.py [--keep]

Clones the committed tree (HEAD) into a scratch directory, adds a minimal one-step automation
there the way a new engineer would ("first order anniversary of signing up": one email a year
after a customer was created), as its module, its templates (en + vi, MJML and text) and its test,
then prints `git diff --stat` and the files outside those three places (there must be none). It
then runs, in the scratch copy, the new test and the suites that find automations by themselves
(the registry, settings API and page fields, previews), so the figure is of a change that works.
The scratch copy is removed unless --keep.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
KEY = "signup_anniversary"

MODULE = '''
"""Sign-up anniversary: one email a year after a customer joined the shop, with an optional code."""

from datetime import timedelta

from sqlalchemy import select

from app.automations.base import Automation, Step, Trigger, customer_of, language
from app.customers.models import Customer
from app.extensions import db


class SignupAnniversary(Automation):
    key = "signup_anniversary"
    title = {"en": "Sign-up anniversary", "vi": "Kỷ niệm ngày đăng ký"}
    steps = (Step("year", timedelta(days=365), "signup_anniversary", label={"en": "One year", "vi": "Tròn một năm"}),)
    default_subject = {"en": "A year together, {{ first_name }}!", "vi": "Tròn một năm bên nhau rồi, {{ first_name }}!"}
    priority = 20
    words = {"en": {}, "vi": {}}

    def triggers(self, shop, values, window):
        rows = db.session.execute(
            select(Customer.id, Customer.email, Customer.locale, Customer.created_at).where(
                Customer.shop_id == shop.id,
                Customer.created_at > window.since,
                Customer.created_at <= window.until,
                Customer.email.is_not(None),
                window.changed(Customer.changed_at),
                window.unplanned(Customer.id),
            )
        )
        for customer_id, email, locale, created_at in rows:
            yield Trigger(str(customer_id), created_at, email.lower(), customer_id, language(locale, shop.locale))

    def exit_reason(self, shop, send, values):
        return None if customer_of(shop, send.customer_id) else "customer_gone"

    def context(self, shop, send, values):
        customer = customer_of(shop, send.customer_id)
        return {"first_name": customer.first_name if customer else None}

    def sample(self, shop, values, locale, customer_id, step):
        customer = customer_of(shop, customer_id)
        send = self.sample_send(shop, step, customer, locale)
        return send, {"first_name": customer.first_name if customer else "Alex"}


AUTOMATION = SignupAnniversary()
'''

MJML = """
<mjml lang="{lang}">
  <mj-head>
    <mj-include path="../_layout/head.mjml" />
    <mj-preview>{preview}</mj-preview>
  </mj-head>
  <mj-body background-color="#f6f6f4" width="600px">
    <mj-include path="../_layout/header.mjml" />
    <mj-section padding="32px 0 24px">
      <mj-column>
        <mj-text font-size="26px" font-weight="700">{heading}</mj-text>
        <mj-text>{body}</mj-text>
      </mj-column>
    </mj-section>
    <mj-include path="../_layout/discount.mjml" />
    <mj-section padding="8px 0 24px">
      <mj-column><mj-button href="{{{{ track(shop_url) }}}}">{button}</mj-button></mj-column>
    </mj-section>
    <mj-include path="../_layout/footer.mjml" />
  </mj-body>
</mjml>
"""

TEXT = """{{% import "_layout/text.txt" as layout with context %}}
{heading}

{body}
{{{{ layout.discount_block() }}}}
{button}: {{{{ track(shop_url) }}}}

{{{{ layout.footer() }}}}
"""

WORDS = {
    "en": {
        "preview": "One year with {{ shop_name }}: thank you.",
        "heading": "A year together{% if first_name %}, {{ first_name }}{% endif %}!",
        "body": "You joined {{ shop_name }} a year ago today. Thank you for being with us.",
        "button": "Visit {{ shop_name }}",
    },
    "vi": {
        "preview": "Tròn một năm bạn đồng hành cùng {{ shop_name }}.",
        "heading": "Tròn một năm rồi{% if first_name %}, {{ first_name }}{% endif %} ơi!",
        "body": "Đúng một năm trước bạn đã đến với {{ shop_name }}. Cảm ơn bạn đã luôn ủng hộ shop nhé.",
        "button": "Ghé {{ shop_name }}",
    },
}

TEST = '''
"""Sign-up anniversary: one email a year after the customer joined."""

from datetime import timedelta

from app.automations.engine import run_once
from tests.automations.conftest import NOW


def test_a_customer_who_joined_a_year_ago_gets_one_email(shop, enable, add_customer, smtp, sends, at):
    enable(shop, "signup_anniversary")
    add_customer(shop, id=1, email="ann@example.com", first_name="Ann", created_at=NOW - timedelta(days=365, hours=1))
    with at(NOW):
        assert run_once(NOW).get("sent") == 1
        run_once(NOW + timedelta(hours=1))
    [message] = smtp.inbox.messages
    assert message["Subject"] == "A year together, Ann!"
    assert [s.trigger_ref for s in sends()] == ["year:1"]
'''

#: The suites that find every automation through the registry (none lists them).
GENERIC = ["tests/automations/test_settings.py", "tests/automations/test_preview.py", "tests/settings"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", action="store_true", help="leave the scratch copy for a look")
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="new-automation-")
    try:
        subprocess.run(["git", "clone", "-q", "--shared", ROOT, scratch], check=True)
        os.symlink(os.path.join(ROOT, ".venv"), os.path.join(scratch, ".venv"))
        _write(scratch, f"app/automations/library/{KEY}.py", MODULE)
        for lang, words in WORDS.items():
            _write(scratch, f"templates/emails/{KEY}/{lang}.mjml", MJML.format(lang=lang, **words))
            _write(scratch, f"templates/emails/{KEY}/{lang}.txt", TEXT.format(**words))
        _write(scratch, f"tests/automations/test_{KEY}.py", TEST)
        git = ["git", "-C", scratch]
        subprocess.run([*git, "add", "-A"], check=True)
        stat = subprocess.run([*git, "diff", "--cached", "--stat"], check=True, capture_output=True, text=True).stdout
        names = subprocess.run(
            [*git, "diff", "--cached", "--name-only"], check=True, capture_output=True, text=True
        ).stdout.split()
        allowed = (f"app/automations/library/{KEY}.py", f"templates/emails/{KEY}/", f"tests/automations/test_{KEY}.py")
        elsewhere = [name for name in names if not name.startswith(allowed)]
        print("git diff --stat of adding a one-step automation:")
        print(stat.rstrip())
        print(f"files outside its module, templates and test: {len(elsewhere)} {elsewhere or ''}".rstrip())
        tests = subprocess.run(
            [".venv/bin/python", "-m", "pytest", f"tests/automations/test_{KEY}.py"] + GENERIC,
            cwd=scratch,
            capture_output=True,
            text=True,
        )
        outcome = re.search(r"\d+ (passed|failed).*", tests.stdout)
        print(f"its test and the registry-driven suites in the scratch copy: {outcome[0] if outcome else '?'}")
        if tests.returncode:
            print(tests.stdout[-3000:], file=sys.stderr)
            sys.exit(1)
    finally:
        if args.keep:
            print(f"scratch copy kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def _write(root: str, path: str, text: str) -> None:
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as handle:
        handle.write(textwrap.dedent(text).lstrip())


if __name__ == "__main__":
    main()
