"""Public training sources: pinned provenance, reproducible rows, manifests that match."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from classify.data import load_labelled
from classify.engine import BUNDLED_MODEL
from classify.model.text_model import TextModel
from classify.model.thresholds import CEILING, FLOOR
from classify.sources import PublicSource
from classify.sources.build import MANIFESTS, all_sources, build, read_source
from classify.sources.davidson_hate_offensive import SOURCE as DAVIDSON
from classify.training import MODEL_LABELS

CORPUS = Path(__file__).parents[2] / "classify" / "corpus"


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _mirror(tmp_path: Path, csv_text: str) -> tuple[Path, str]:
    """A bare mirror, laid out as the build expects, holding one commit of a Davidson-like file."""
    work = tmp_path / "work"
    (work / "data").mkdir(parents=True)
    (work / "data" / "labeled_data.csv").write_text(csv_text, encoding="utf-8")
    _git("init", "-q", cwd=work)
    _git("add", ".", cwd=work)
    _git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "data", cwd=work)
    mirrors = tmp_path / "mirrors"
    bare = mirrors / DAVIDSON.repo.replace("/", "+") / "repo"
    subprocess.run(["git", "clone", "-q", "--mirror", str(work), str(bare)], check=True)
    return mirrors, _git("rev-parse", "HEAD", cwd=work)


_CSV = (
    ",count,hate_speech,offensive_language,neither,class,tweet\n"
    '0,3,3,0,0,0,"you people are vermin &amp; should be wiped out"\n'
    '1,3,0,3,0,1,"this damn game lol"\n'
    '2,3,0,0,3,2,"lovely walk by the river this morning"\n'
    '3,3,0,0,3,2,"Lovely walk by the river   this morning"\n'
)


def test_a_source_is_read_at_its_commit_mapped_and_deduplicated(tmp_path: Path) -> None:
    mirrors, commit = _mirror(tmp_path, _CSV)
    source = PublicSource(**{**DAVIDSON.__dict__, "commit": commit})
    rows = read_source(source, mirrors)
    assert [(r.text, [str(x) for x in r.labels]) for r in rows] == [
        ("you people are vermin & should be wiped out", ["harassment"]),
        ("lovely walk by the river this morning", []),
    ]  # offensive-only left out, HTML unescaped, the second walk is a duplicate


def test_the_manifest_pins_the_rows_and_a_changed_source_fails_the_check(tmp_path: Path) -> None:
    mirrors, commit = _mirror(tmp_path, _CSV)
    source = PublicSource(**{**DAVIDSON.__dict__, "commit": commit})
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    out = tmp_path / "public.jsonl"
    [record] = build(mirrors, out, sources=[source], manifests=manifests)
    assert record["rows_used"] == 2 and record["per_label"] == {"harassment": 1}
    assert record["commit"] == commit and record["licence"] == "MIT"
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {line["origin"] for line in lines} == {DAVIDSON.name}
    assert [r.origin for r in load_labelled(out)] == [DAVIDSON.name] * 2
    build(mirrors, out, sources=[source], manifests=manifests, check=True)  # same rows: passes

    changed, new_commit = _mirror(tmp_path / "again", _CSV.replace("vermin", "pests"))
    moved = PublicSource(**{**DAVIDSON.__dict__, "commit": new_commit})
    with pytest.raises(SystemExit, match="rows differ"):
        build(changed, out, sources=[moved], manifests=manifests, check=True)


def test_a_missing_mirror_says_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="git clone --mirror https://github.com/"):
        read_source(DAVIDSON, tmp_path)


def test_every_source_has_a_manifest_that_matches_its_provenance() -> None:
    sources = {s.name: s for s in all_sources()}
    manifests = {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in MANIFESTS.glob("*.json")
    }
    assert set(sources) == set(manifests)
    for name, source in sources.items():
        record = manifests[name]
        assert len(source.commit) == 40 and record["commit"] == source.commit
        assert record["url"] == source.url and record["licence"] == source.licence
        assert record["rows_used"] > 0 and len(record["sha256"]) == 64


def test_the_shipped_model_learned_from_the_corpus_and_the_manifested_sources() -> None:
    """Rebuild it with the commands in classify/README.md; this fails when it is stale."""
    corpus = load_labelled(CORPUS)
    manifests = [json.loads(p.read_text(encoding="utf-8")) for p in MANIFESTS.glob("*.json")]
    shipped = TextModel.load(BUNDLED_MODEL)
    meta = shipped.metadata
    assert meta is not None and shipped.embedding is None  # the default stays fast
    assert meta.training_data.rows == len(corpus) + sum(m["rows_used"] for m in manifests)
    expected = Counter(str(label) for r in corpus for label in r.labels)
    for m in manifests:
        expected.update(m["per_label"])
    assert meta.training_data.per_label == dict(sorted(expected.items()))
    assert set(shipped.thresholds["*"]) == set(MODEL_LABELS)
    for lang in ("*", "en", "fr"):
        assert all(FLOOR <= t <= CEILING for t in shipped.thresholds[lang].values())
    points = {(p["label"], p["lang"]) for p in meta.metrics["operating_points"]}
    assert points >= {(str(label), "*") for label in MODEL_LABELS}
