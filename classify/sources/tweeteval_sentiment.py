"""Generic English tweets with a sentiment label (SemEval 2017 Task 4, as packaged by TweetEval)."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Iterator

from classify.data import LabelledRow
from classify.sources import PublicSource

_NEGATIVE, _NEUTRAL, _POSITIVE = "0", "1", "2"
# The training split's text file is absent from the mirror (too large); validation and test are read.
_SPLITS = ("val", "test")
# Keep about 12,000 of the ~14,000 rows: those whose SHA-256 starts below this value.
_CUTOFF = 0xDA000000
# A negative tweet about a company or a product may be a complaint: not a safe negative, left out.
_COMMERCIAL = re.compile(
    r"\b(order|orders|refund|deliver\w*|shipping|customer|service|support|store|shop\w*|app|apps|update"
    r"|phone|iphone|ipad|samsung|galaxy|apple|amazon|netflix|google|microsoft|windows|xbox|playstation"
    r"|sony|nintendo|nike|starbucks|mcdonald'?s|uber|airline|flight|bank|account|price|bought|buy"
    r"|purchase|product|battery|wifi|internet|verizon|comcast|sprint|t-mobile|tesla|walmart|target"
    r"|ios|android|facebook|twitter|snapchat|spotify|company|brand|subscription|bill|charged)\b",
    re.IGNORECASE,
)


_ESCAPED = re.compile(r"\\u([0-9a-fA-F]{4})")


def _keep(text: str) -> bool:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) < _CUTOFF


def _read(open_file: Callable[[str], bytes]) -> Iterator[LabelledRow]:
    for split in _SPLITS:
        texts = open_file(f"datasets/sentiment/{split}_text.txt").decode("utf-8").splitlines()
        labels = open_file(f"datasets/sentiment/{split}_labels.txt").decode("utf-8").split()
        if len(texts) != len(labels):
            raise ValueError(f"sentiment/{split}: {len(texts)} texts but {len(labels)} labels")
        for raw, label in zip(texts, labels, strict=True):
            # Some texts carry JSON-style escapes (\\u2019) instead of the characters.
            tweet = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), html.unescape(raw))
            tweet = (
                tweet.encode("utf-16", "surrogatepass").decode("utf-16").strip()
            )  # join escaped pairs
            if len(tweet.split()) < 3 or not _keep(tweet):
                continue
            if label == _NEGATIVE and _COMMERCIAL.search(tweet):
                continue
            yield LabelledRow(text=tweet, labels=[], lang="en", source="mention")


SOURCE = PublicSource(
    name="tweeteval_sentiment",
    repo="cardiffnlp/tweeteval",
    commit="4fbd22cd78421f05b1ecdb4fc5725bc7a7bd8f66",
    licence="TweetEval: no restrictions stated; SemEval-2017 Task 4 data, no licence given (research benchmark)",
    description="Generic English tweets (positive / neutral / negative) of SemEval-2017 Task 4, validation and test splits of TweetEval.",
    read=_read,
    notes=[
        "every kept tweet -> no label: ordinary tweets about life, news and culture",
        "negative tweets naming a company, product or service (keyword list) left out: may be complaints",
        "user handles are anonymised to @user by TweetEval; train split absent from the mirror, not read",
        "deterministic subsample: SHA-256 of the text below 0xDA000000 (about 85% of rows)",
        "licence: TweetEval README says it is released without restrictions but defers to the original "
        "SemEval data's terms (none stated) and Twitter's; research-benchmark provenance",
    ],
)
