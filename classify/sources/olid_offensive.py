"""English tweets annotated for offensive language, its type (targeted or not) and its target (OLID)."""

from __future__ import annotations

import csv
import hashlib
import html
import io
from collections.abc import Callable, Iterator

from classify.data import LabelledRow
from classify.sources import PublicSource
from events.schemas import Label

# Keep about 12,000 rows: every harassment row, and the others whose SHA-256 starts below this value.
_CUTOFF = 0xC8000000


def _tsv(data: bytes) -> list[list[str]]:
    rows = []
    for line in data.decode("utf-8-sig").splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) > 1 and fields[1].startswith('"') and fields[1].endswith('"'):
            fields[1] = fields[1][1:-1].replace('""', '"')
        rows.append(fields)
    return rows


def _gold(data: bytes) -> dict[str, str]:
    return {
        row[0]: row[1] for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) if len(row) == 2
    }


def _records(open_file: Callable[[str], bytes]) -> Iterator[tuple[str, str, str, str]]:
    for fields in _tsv(open_file("olid-training-v1.0.tsv")):
        yield fields[1], fields[2], fields[3], fields[4]
    level_a = _gold(open_file("labels-levela.csv"))
    level_b = _gold(open_file("labels-levelb.csv"))
    level_c = _gold(open_file("labels-levelc.csv"))
    for fields in _tsv(open_file("testset-levela.tsv")):
        tweet_id = fields[0]
        yield (
            fields[1],
            level_a[tweet_id],
            level_b.get(tweet_id, "NULL"),
            level_c.get(tweet_id, "NULL"),
        )


def _read(open_file: Callable[[str], bytes]) -> Iterator[LabelledRow]:
    for raw, offensive, kind, target in _records(open_file):
        tweet = html.unescape(raw).strip()
        if len(tweet.split()) < 3:
            continue
        if offensive == "OFF" and kind == "TIN":
            if target not in ("IND", "GRP"):
                # An insult aimed at an organisation, event or issue is closer to a complaint or an
                # opinion than to intimidation of people: not a safe example either way.
                continue
            yield LabelledRow(text=tweet, labels=[Label.harassment], lang="en", source="mention")
        elif int(hashlib.sha256(tweet.encode("utf-8")).hexdigest()[:8], 16) < _CUTOFF:
            yield LabelledRow(text=tweet, labels=[], lang="en", source="mention")


SOURCE = PublicSource(
    name="olid_offensive",
    repo="idontflow/OLID",
    commit="66fa62b22d57965986884d6b1491da2aed452f07",
    licence="none stated (OLID v1.0 as distributed for OffensEval 2019; research data set, citation requested)",
    description="OLID v1.0 (Zampieri et al., NAACL 2019): 14,100 English tweets, offensive or not, targeted insult/threat or untargeted profanity, and the target.",
    read=_read,
    notes=[
        "targeted insult or threat (OFF/TIN) at an individual (IND) or a group (GRP) -> harassment",
        "targeted at other (OTH: an organisation, event or issue) left out: may be a brand complaint",
        "untargeted profanity (OFF/UNT) and not offensive (NOT) -> no label: profanity alone is not harassment",
        "training file plus the official test set (levels A/B/C joined by tweet id)",
        "deterministic subsample of unlabelled rows: SHA-256 of the text below 0xC8000000; all harassment rows kept",
        "mentions are @USER and links URL, as in the release; TweetEval 'offensive' is the same data, not added",
        "licence: the README gives none, only a citation request; no licence file in the repository",
    ],
)
