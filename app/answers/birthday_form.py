"""`/b/<token>`: the customer tells the shop their birthday (the welcome email links here).

POST takes `birth_date` as "YYYY-MM-DD" or "--MM-DD" (no year), or the form's own day, month and
(optional) year fields. The birthday counts at once (a birthday today gets its email today), and
a job writes it to the store's `facts.birth_date` once the shop granted `write_customers`.
"""

from flask import Blueprint, render_template, request

from app import clock, jobs
from app.answers.branding import branding
from app.answers.questions import language
from app.answers.tokens import BadToken, read_birthday
from app.customers import birthdays
from app.customers.models import Customer
from app.extensions import db
from app.jobs import kinds
from app.shops.models import Shop

bp = Blueprint("birthday", __name__)

WORDS = {
    "en": {
        "title": "When is your birthday?",
        "intro": "Tell us and {shop} will send you a little gift on your day.",
        "day": "Day",
        "month": "Month",
        "year": "Year (optional)",
        "months": ("January February March April May June July August September October November December").split(),
        "save": "Save my birthday",
        "thanks": "Thank you!",
        "saved": "We'll remember your birthday: {day}.",
        "format": "Please choose a day and a month.",
        "impossible": "That date doesn't exist. Please check the day and month.",
        "future": "That date is in the future. Please check the year.",
        "too_old": "Please check the year.",
        "bad_link": "This link is damaged. Please open it again from the email.",
        "closed": "This form is closed.",
    },
    "vi": {
        "title": "Sinh nhật của bạn là ngày nào?",
        "intro": "Cho {shop} biết để shop gửi bạn một món quà nhỏ đúng dịp nhé.",
        "day": "Ngày",
        "month": "Tháng",
        "year": "Năm (không bắt buộc)",
        "months": tuple(f"Tháng {n}" for n in range(1, 13)),
        "save": "Lưu ngày sinh",
        "thanks": "Cảm ơn bạn!",
        "saved": "Shop đã ghi nhớ sinh nhật của bạn: {day}.",
        "format": "Bạn chọn giúp shop ngày và tháng nhé.",
        "impossible": "Ngày này không có thật. Bạn kiểm tra lại ngày và tháng giúp shop nhé.",
        "future": "Ngày này ở tương lai. Bạn kiểm tra lại năm sinh giúp shop nhé.",
        "too_old": "Bạn kiểm tra lại năm sinh giúp shop nhé.",
        "bad_link": "Đường dẫn này bị lỗi. Bạn mở lại từ email giúp shop nhé.",
        "closed": "Biểu mẫu này đã đóng.",
    },
}


@bp.get("/b/<token>")
def birthday_page(token: str):
    shop, customer, lang, refused = _form(token)
    if refused is not None:
        return refused
    day, month, year = _parts(customer.birth_date)
    return _page(shop, lang, token, day, month, year)


@bp.post("/b/<token>")
def birthday_submit(token: str):
    shop, customer, lang, refused = _form(token)
    if refused is not None:
        return refused
    given = _given()
    try:
        birth_date = birthdays.normalise(given, _today(shop))
    except birthdays.BadBirthday as bad:
        day, month, year = _parts(given)
        return _page(shop, lang, token, day, month, year, error=WORDS[lang][bad.code], status=400)
    birthdays.store(shop.id, customer.id, birth_date, clock.now())
    if birth_date[0] != "-":  # the job waits while write_customers is not granted
        jobs.enqueue(
            shop.id, kinds.WRITE_BIRTHDAY, unique_key=f"customer:{customer.id}", data={"customer_id": customer.id}
        )
    db.session.commit()
    words = WORDS[lang]
    month, day = birthdays.month_day(birth_date)
    shown = f"{day}/{month}" if lang == "vi" else f"{words['months'][month - 1]} {day}"
    return render_template(
        "answers/thanks.html",
        lang=lang,
        heading=words["thanks"],
        text=words["saved"].format(day=shown),
        **branding(shop),
    )


def _form(token: str):
    """(shop, customer, language, None), or (None, None, None, the error response)."""
    try:
        form = read_birthday(token)
    except BadToken:
        return None, None, None, _error(None, "bad_link", 400)
    shop = db.session.get(Shop, form.shop_id)
    customer = db.session.get(Customer, (form.shop_id, form.customer_id)) if shop is not None else None
    if customer is None:
        # The customer was redacted (or the shop): nothing may be stored about them again.
        return None, None, None, _error(shop, "closed", 410)
    return shop, customer, language(form.locale, customer.locale, shop.locale), None


def _today(shop):
    """Today in the shop's time zone: a birthday later than that is in the future."""
    return clock.local_day(clock.now(), clock.zone(shop.timezone))


def _given() -> str:
    """The birthday as POSTed: `birth_date`, or the form's day, month and optional year."""
    if "birth_date" in request.form:
        return request.form["birth_date"]
    day, month, year = (request.form.get(name, "").strip() for name in ("day", "month", "year"))
    if not (day.isdigit() and month.isdigit()) or (year and not year.isdigit()):
        return ""
    return f"{year.zfill(4) if year else '-'}-{int(month):02d}-{int(day):02d}"


def _parts(value: str | None) -> tuple[int | None, int | None, str]:
    if not value or len(value) < 7:
        return None, None, ""
    try:
        month, day = birthdays.month_day(value)
    except ValueError:
        return None, None, ""
    return day, month, "" if value.startswith("--") else value[:4]


def _page(shop, lang, token, day, month, year, error=None, status=200):
    return (
        render_template(
            "answers/birthday.html",
            lang=lang,
            words=WORDS[lang],
            intro=WORDS[lang]["intro"].format(shop=shop.name or shop.domain),
            token=token,
            day=day,
            month=month,
            year=year,
            error=error,
            **branding(shop),
        ),
        status,
    )


def _error(shop, key: str, status: int):
    lang = language(request.accept_languages.best_match(["vi", "en"]), shop.locale if shop else None)
    brand = branding(shop) if shop is not None else {"shop_name": "", "accent": "#008060", "logo_url": None}
    return render_template("answers/thanks.html", lang=lang, heading=WORDS[lang][key], text="", **brand), status
