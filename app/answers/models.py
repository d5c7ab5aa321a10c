"""One answer per email: the customer may change it until a follow-up has been decided on it."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.extensions import db, shop_fk


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (Index("ix_answers_shop_question_answered", "shop_id", "question", "answered_at"),)

    shop_id: Mapped[int] = mapped_column(shop_fk(), primary_key=True)
    #: The `sends.id` of the email that asked: one answer per email, the last one given.
    send_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    #: Who answered (the send's customer); redaction finds their answers by it.
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    #: "reason" (why not back? we_miss_you) or "nps" (0-10, feedback); see answers.questions.
    question: Mapped[str] = mapped_column(String(16))
    answer: Mapped[str] = mapped_column(String(32))
    #: The customer's own words (optional; for "other" and NPS), plain text.
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
    #: When the engine decided the follow-up on this answer; from then on the answer is final.
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
