"""The settings page's words in English and Vietnamese, and how the page picks a language.

The admin tells us the merchant's language in the `locale` query parameter ("vi", "en-US");
without it the shop's primary locale decides. Emails have their own templates (mail package).
"""

from babel.numbers import format_currency, format_decimal

from app.automations.registry import AUTOMATIONS, reason_words
from app.mail.rendering import LANGUAGES, language  # noqa: F401 - the page speaks the emails' languages
from app.settings.words_access import WORDS as ACCESS_WORDS

MESSAGES = {
    "en": {
        "title": "Comeback",
        "tagline": "Retention emails that bring customers back.",
        "language": "Language",
        "automations": "Automations",
        "retention": "Retention",
        "on": "On",
        "off": "Off",
        "preview": "Preview",
        "subject_line": "Subject",
        "send_test": "Send me a test",
        "test_queued": "A test email is on its way to {email}.",
        "saving": "Saving…",
        "saved": "Saved",
        "save": "Save settings",
        "loading": "Loading…",
        "error": "Something went wrong. Try again.",
        "results": "Results, last 30 days",
        "automation": "Automation",
        "sent": "Sent",
        "opened": "Opened",
        "clicked": "Clicked",
        "orders": "Orders",
        "revenue": "Revenue",
        "chart_label": "Emails sent per day over the last 30 days",
        "activity": "Recent activity",
        "product": "Product",
        "yours": "Yours",
        "period_days": "{count} days",
        "period_day": "1 day",
        "period_never": "never",
        "no_activity": "No emails yet. Switch an automation on to start.",
        "import": "Order history import",
        "import_running": "Importing your order history: {done} of {total}.",
        "import_queued": "The order history import will start in a moment.",
        "import_done": "Order history imported.",
        "import_failed": "The order history import failed; it will be retried. {error}",
        "settings": "Sender and sending rules",
        "sender_name": "Sender name",
        "sender_name_help": "Empty: your store's name ({name}).",
        "reply_to": "Reply-to address",
        "reply_to_help": "Empty: your store's email ({email}).",
        "notification_email": "Notices to you (survey answers)",
        "notification_email_help": "Where we tell you when a customer needs your attention. Empty: {email}.",
        "logo_url": "Logo URL (https)",
        "accent_color": "Accent colour",
        "frequency_cap": "At most",
        "emails_per": "emails per customer every",
        "days": "days",
        "quiet_hours": "Quiet hours (store time)",
        "quiet_hours_enabled": "Hold emails during quiet hours",
        "from": "From",
        "to": "To",
        "compliance_profile": "Compliance rules",
        "compliance_auto": "Automatic (by store country)",
        "compliance_vn": "Vietnam (Decree 91: [QC] label, 07:00–22:00)",
        "compliance_us": "United States (CAN-SPAM)",
        "compliance_eu": "European Union (GDPR)",
        "compliance_default": "No extra rules",
        "attribution_days": "Credit an order to an email clicked within (days)",
        "data_requests": "Customer data requests",
        "no_data_requests": "No customer has asked for their data.",
        "download": "Download JSON",
        "requested": "Requested {at}",
        "session_expired": "Your session has expired.",
        "reopen": "Reopen Comeback",
        "open_from_admin": "Open Comeback from your store admin to manage it.",
        "not_installed": "Comeback is not installed on {shop}.",
        "install": "Install Comeback",
        "invalid_session": "This link has expired or is not valid.",
        "state_sent": "sent",
        "state_sent_then": "sent, then: {reason}",
        "state_planned": "scheduled for {due}",
        "state_deferred": "deferred: {reason}",
        "state_skipped": "skipped: {reason}",
        "state_failed": "failed: {reason}",
        "state_unknown": "uncertain: the mail server may or may not have accepted it",
        "state_sending": "sending",
    },
    "vi": {
        "title": "Comeback",
        "tagline": "Email chăm sóc giúp khách hàng quay lại.",
        "language": "Ngôn ngữ",
        "automations": "Tự động hóa",
        "retention": "Giữ chân khách",
        "on": "Bật",
        "off": "Tắt",
        "preview": "Xem trước",
        "subject_line": "Tiêu đề",
        "send_test": "Gửi thử cho tôi",
        "test_queued": "Email thử đang được gửi tới {email}.",
        "saving": "Đang lưu…",
        "saved": "Đã lưu",
        "save": "Lưu cài đặt",
        "loading": "Đang tải…",
        "error": "Đã xảy ra lỗi. Vui lòng thử lại.",
        "results": "Kết quả 30 ngày qua",
        "automation": "Tự động hóa",
        "sent": "Đã gửi",
        "opened": "Đã mở",
        "clicked": "Đã nhấp",
        "orders": "Đơn hàng",
        "revenue": "Doanh thu",
        "chart_label": "Số email gửi mỗi ngày trong 30 ngày qua",
        "activity": "Hoạt động gần đây",
        "product": "Sản phẩm",
        "yours": "Bạn đặt",
        "period_days": "{count} ngày",
        "period_day": "1 ngày",
        "period_never": "không nhắc",
        "no_activity": "Chưa có email nào. Hãy bật một tự động hóa để bắt đầu.",
        "import": "Nhập lịch sử đơn hàng",
        "import_running": "Đang nhập lịch sử đơn hàng: {done} / {total}.",
        "import_queued": "Việc nhập lịch sử đơn hàng sẽ bắt đầu trong giây lát.",
        "import_done": "Đã nhập xong lịch sử đơn hàng.",
        "import_failed": "Nhập lịch sử đơn hàng thất bại; hệ thống sẽ thử lại. {error}",
        "settings": "Người gửi và quy tắc gửi",
        "sender_name": "Tên người gửi",
        "sender_name_help": "Để trống: tên cửa hàng ({name}).",
        "reply_to": "Địa chỉ nhận phản hồi",
        "reply_to_help": "Để trống: email cửa hàng ({email}).",
        "notification_email": "Email nhận thông báo (câu trả lời khảo sát)",
        "notification_email_help": "Nơi chúng tôi báo cho bạn khi có khách hàng cần bạn quan tâm. Để trống: {email}.",
        "logo_url": "URL logo (https)",
        "accent_color": "Màu nhấn",
        "frequency_cap": "Tối đa",
        "emails_per": "email cho mỗi khách trong",
        "days": "ngày",
        "quiet_hours": "Giờ yên lặng (giờ cửa hàng)",
        "quiet_hours_enabled": "Giữ email lại trong giờ yên lặng",
        "from": "Từ",
        "to": "Đến",
        "compliance_profile": "Quy định tuân thủ",
        "compliance_auto": "Tự động (theo quốc gia của cửa hàng)",
        "compliance_vn": "Việt Nam (Nghị định 91: nhãn [QC], 07:00–22:00)",
        "compliance_us": "Hoa Kỳ (CAN-SPAM)",
        "compliance_eu": "Liên minh châu Âu (GDPR)",
        "compliance_default": "Không có quy định thêm",
        "attribution_days": "Ghi nhận đơn hàng cho email được nhấp trong vòng (ngày)",
        "data_requests": "Yêu cầu dữ liệu khách hàng",
        "no_data_requests": "Chưa có khách hàng nào yêu cầu dữ liệu của họ.",
        "download": "Tải JSON",
        "requested": "Yêu cầu lúc {at}",
        "session_expired": "Phiên làm việc đã hết hạn.",
        "reopen": "Mở lại Comeback",
        "open_from_admin": "Hãy mở Comeback từ trang quản trị cửa hàng để quản lý.",
        "not_installed": "Comeback chưa được cài đặt trên {shop}.",
        "install": "Cài đặt Comeback",
        "invalid_session": "Liên kết này đã hết hạn hoặc không hợp lệ.",
        "state_sent": "đã gửi",
        "state_sent_then": "đã gửi, sau đó: {reason}",
        "state_planned": "dự kiến gửi lúc {due}",
        "state_deferred": "hoãn lại: {reason}",
        "state_skipped": "bỏ qua: {reason}",
        "state_failed": "thất bại: {reason}",
        "state_unknown": "chưa rõ: máy chủ thư có thể đã nhận hoặc chưa",
        "state_sending": "đang gửi",
    },
}

#: Reason codes the engine and the mail package record on sends, in plain words; each automation
#: brings the words for its own codes (its `words`), and the journey engine its own (base.COMMON_WORDS).
REASONS = {
    "en": {
        "ordered": "the customer ordered",
        "no_consent": "the customer has not agreed to marketing email",
        "unsubscribed": "the customer unsubscribed",
        "bounced": "the address bounced; no more emails to it",
        "redacted": "the customer's data was erased",
        "frequency_cap": "the customer already got the most emails allowed this week",
        "quiet_hours": "quiet hours",
        "send_window": "outside the legal sending hours",
        "daily_limit": "the daily limit for this customer was reached",
        "too_late": "it became due more than 7 days ago",
        "disabled": "the automation is switched off",
        "uninstalled": "the app was uninstalled",
        "discount": "the store did not create the discount code yet",
        "temporary": "the mail server asked to try later",
        "permanent": "the mail server refused the address",
        "no_email": "there is no email address",
        "lease_expired": "the worker stopped while sending",
        "complained": "the customer marked an email as spam; no more emails to them",
        "soft_bounce": "the mailbox could not take it for now (three in a row stop emails to it)",
        "error": "an unexpected error",
        "connection_lost": "the connection to the mail server was lost",
    },
    "vi": {
        "ordered": "khách hàng đã đặt hàng",
        "no_consent": "khách hàng chưa đồng ý nhận email tiếp thị",
        "unsubscribed": "khách hàng đã hủy đăng ký",
        "bounced": "địa chỉ email không nhận được thư",
        "redacted": "dữ liệu của khách hàng đã bị xóa",
        "frequency_cap": "khách hàng đã nhận đủ số email cho phép trong tuần",
        "quiet_hours": "giờ yên lặng",
        "send_window": "ngoài giờ được phép gửi theo luật",
        "daily_limit": "đã đạt giới hạn email trong ngày cho khách này",
        "too_late": "đã đến hạn gửi hơn 7 ngày trước",
        "disabled": "tự động hóa đang tắt",
        "uninstalled": "ứng dụng đã bị gỡ cài đặt",
        "discount": "cửa hàng chưa tạo được mã giảm giá",
        "temporary": "máy chủ thư yêu cầu thử lại sau",
        "permanent": "máy chủ thư từ chối địa chỉ",
        "no_email": "không có địa chỉ email",
        "lease_expired": "tiến trình gửi dừng giữa chừng",
        "complained": "khách hàng đã đánh dấu email là thư rác; sẽ không gửi thêm cho họ",
        "soft_bounce": "hộp thư tạm thời chưa nhận được thư (ba lần liên tiếp sẽ ngừng gửi)",
        "error": "lỗi không mong muốn",
        "connection_lost": "mất kết nối với máy chủ thư",
    },
}


class Words:
    """`words("key", name=...)` in a template; one instance per rendered language."""

    def __init__(self, locale: str):
        self.locale = locale
        self.messages = MESSAGES[locale]

    def __call__(self, key: str, **values) -> str:
        return self.messages[key].format(**values)

    def reason(self, code: str | None, automation: str | None = None) -> str:
        if not code:
            return ""
        # The automation that gave the reason words it best; then the engine's words; then any automation's.
        own = AUTOMATIONS[automation].words.get(self.locale, {}) if automation in AUTOMATIONS else {}
        anyone = reason_words(self.locale)
        return own.get(code) or REASONS[self.locale].get(code) or anyone.get(code) or code.replace("_", " ")

    def number(self, value) -> str:
        return format_decimal(value, locale=self.locale)

    def money(self, value, currency: str) -> str:
        return format_currency(value, currency, locale=self.locale)


# The access section and the page chrome bring their own words (app/settings/words_access.py).
for _locale, _words in ACCESS_WORDS.items():
    MESSAGES[_locale].update(_words)
