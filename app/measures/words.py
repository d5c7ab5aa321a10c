"""The retention page's and measures API's words, in English and Vietnamese."""

from app.settings.i18n import Words as PageWords
from app.settings.i18n import language  # noqa: F401 - one rule picks the language everywhere

MESSAGES = {
    "en": {
        "period_missing": "Give both from and to (YYYY-MM-DD), or neither for the last 30 days.",
        "period_malformed": "Dates must be real days written YYYY-MM-DD.",
        "period_reversed": "The period ends before it starts.",
        "period_too_long": "A period can be at most 3 years long.",
        "no_customer": "No customer with that id in this shop.",
        "no_model": "No purchase model yet: it is fitted once the shop has enough order history.",
        "no_segment": "No such segment.",
    },
    "vi": {
        "period_missing": "Vui lòng nhập cả ngày bắt đầu và ngày kết thúc (YYYY-MM-DD), hoặc để trống cả hai để xem 30 ngày gần nhất.",
        "period_malformed": "Ngày phải là ngày có thật, viết theo dạng YYYY-MM-DD.",
        "period_reversed": "Ngày kết thúc đang trước ngày bắt đầu.",
        "period_too_long": "Khoảng thời gian dài nhất là 3 năm.",
        "no_customer": "Cửa hàng không có khách hàng với mã này.",
        "no_model": "Chưa có mô hình dự đoán: mô hình sẽ được tính khi cửa hàng có đủ lịch sử đơn hàng.",
        "no_segment": "Không có nhóm khách hàng này.",
    },
}


class Words(PageWords):
    """The page's own words first, then the settings page's (numbers, money, shared labels)."""

    def __init__(self, locale: str):
        super().__init__(locale)
        self.messages = {**self.messages, **MESSAGES[locale]}
