"""English SMS messages labelled spam or ham (SMS Spam Collection v.1, Almeida and Gómez Hidalgo, 2011)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

from classify.data import LabelledRow
from classify.sources import PublicSource
from events.schemas import Label

# Spam that lures the reader into claiming a prize, award or account balance by calling or texting:
# the scam pattern of "verify your account here". Ringtone, dating and advertising spam is left out.
_LURE = re.compile(
    r"\b(you (have )?won|winner|prize|claim|urgent|verify|your account|account statement|customer service"
    r"|security|suspended|password|unredeemed|bonus caller|selected to receive|guaranteed|awarded|voucher"
    r"|reward)",
    re.IGNORECASE,
)


def _read(open_file: Callable[[str], bytes]) -> Iterator[LabelledRow]:
    for line in open_file("SMSSpamCollection").decode("utf-8").splitlines()[1:]:
        kind, _, raw = line.partition("\t")
        message = " ".join(html.unescape(raw).split())
        if len(message.split()) < 3:
            continue
        if kind == "ham":
            labels = []
        elif kind == "spam" and _LURE.search(message):
            labels = [Label.security_threat]
        else:
            continue
        yield LabelledRow(text=message, labels=labels, lang="en", source="mention")


SOURCE = PublicSource(
    name="sms_spam_collection",
    repo="hamzaaacodes/sms-spam-collection",
    commit="f3e73e1e74e6330b62d1ee1983bba2a063184c26",
    licence="CC-BY-4.0 (UCI Machine Learning Repository listing of the SMS Spam Collection; the repository itself has no licence file)",
    description="SMS Spam Collection v.1: 5,574 English SMS (UK and Singapore), 747 spam and 4,827 ham; vendored unchanged in this repository.",
    read=_read,
    notes=[
        "spam that lures the reader to claim a prize, award, bonus or account balance (keyword list) -> security_threat",
        "other spam (ringtones, adult chat, adverts) left out: unwanted but not phishing",
        "ham -> no label: ordinary private messages, text-speak",
        "SMS, not social posts: the lures are premium-rate prize scams of 2003-2006, not link phishing",
    ],
)
