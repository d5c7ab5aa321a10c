"""The questions an email may ask, their one-click answers, and their words in both languages."""

from dataclasses import dataclass

from app.mail.rendering import language  # noqa: F401 - the pages speak the emails' languages

#: The longest comment kept; a longer one is a 400 (the page says so), not silently cut.
COMMENT_MAX = 1000


@dataclass(frozen=True)
class Question:
    key: str
    answers: tuple[str, ...]
    #: Answers after which the page asks for a comment (None: a comment is optional for every answer).
    comment_for: tuple[str, ...] | None = None


REASON = Question("reason", ("price", "shipping", "quality", "found_elsewhere", "no_need", "other"), ("other",))
NPS = Question("nps", tuple(str(score) for score in range(11)))
QUESTIONS = {q.key: q for q in (REASON, NPS)}

WORDS = {
    "en": {
        "reason": "What kept you from coming back?",
        "nps": "How likely are you to recommend {shop} to a friend?",
        "price": "Prices were too high",
        "shipping": "Shipping cost too much",
        "quality": "I wasn't happy with the quality",
        "found_elsewhere": "I found it somewhere else",
        "no_need": "I don't need anything right now",
        "other": "Something else",
        "nps_low": "Not likely",
        "nps_high": "Very likely",
        "comment": "Anything you'd like to add? (optional)",
        "comment_other": "Tell us a little more (optional)",
        "send": "Send my answer",
        "thanks": "Thank you!",
        "thanks_text": "Your answer helps {shop} do better.",
        "kept": "We already have your answer and have acted on it. Thank you!",
        "change": "Changed your mind? You can answer again from the email.",
        "bad_link": "This link is damaged. Please open it again from the email.",
        "closed": "This survey is closed.",
        "bad_answer": "Please choose one of the answers.",
        "too_long": "Your comment is too long (at most {max} characters).",
    },
    "vi": {
        "reason": "Điều gì khiến bạn chưa quay lại với shop?",
        "nps": "Bạn có sẵn lòng giới thiệu {shop} cho bạn bè không?",
        "price": "Giá hơi cao",
        "shipping": "Phí ship cao quá",
        "quality": "Mình chưa hài lòng về chất lượng",
        "found_elsewhere": "Mình đã mua ở chỗ khác",
        "no_need": "Hiện tại mình chưa cần thêm gì",
        "other": "Lý do khác",
        "nps_low": "Không muốn",
        "nps_high": "Rất sẵn lòng",
        "comment": "Bạn muốn nhắn gì thêm cho shop không? (không bắt buộc)",
        "comment_other": "Bạn kể thêm cho shop một chút nhé (không bắt buộc)",
        "send": "Gửi câu trả lời",
        "thanks": "Cảm ơn bạn nhiều!",
        "thanks_text": "Góp ý của bạn giúp {shop} phục vụ bạn tốt hơn.",
        "kept": "Shop đã nhận được câu trả lời của bạn và đang xử lý rồi. Cảm ơn bạn nhé!",
        "change": "Nếu đổi ý, bạn có thể trả lời lại từ email nhé.",
        "bad_link": "Đường dẫn này bị lỗi. Bạn mở lại từ email giúp shop nhé.",
        "closed": "Khảo sát này đã đóng.",
        "bad_answer": "Bạn chọn giúp shop một câu trả lời nhé.",
        "too_long": "Lời nhắn hơi dài (tối đa {max} ký tự).",
    },
}
