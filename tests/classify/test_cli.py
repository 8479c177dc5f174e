"""`vigie classify --input`, `vigie train` and `vigie eval`, as a brand runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from classify.data import LabelledRow
from vigie.cli import app

runner = CliRunner()


def _run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_batch_classify_jsonl_writes_one_verdict_per_row(small_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "posts.jsonl"
    rows = [
        {"id": "p1", "text": "Toujours pas reçu mon remboursement, service client nul"},
        {"id": 2, "text": "Le cell de Julien c'est le 514-555-0199", "source": "staff"},
        {"text": "🔥🔥🔥"},
        {"id": "p4", "text": "x" * 30_000},
    ]
    source.write_bytes(
        b"\n".join(json.dumps(r).encode() for r in rows) + b'\n{"id": "bad"\n{"text": "caf\xe9"}\n'
    )
    out = tmp_path / "verdicts.jsonl"
    output = _run(
        "classify", "--input", str(source), "--output", str(out), "--model", str(small_model[0])
    )
    assert "4 posts classified" in output and "2 rows could not be read" in output
    verdicts = [json.loads(line) for line in out.read_text().splitlines()]
    assert [v["id"] for v in verdicts] == ["p1", "2", "line:3", "p4"]
    assert {"id", "lang", "labels", "model_version"} <= set(verdicts[0])
    assert "complaint" in [lv["label"] for lv in verdicts[0]["labels"]]
    disclosure = next(lv for lv in verdicts[1]["labels"] if lv["label"] == "risky_disclosure")
    assert disclosure["severity"] == "critical" and disclosure["evidence"][0]["detector"] == "phone"
    assert verdicts[2]["lang"] == "und" and verdicts[0]["model_version"] == "test-1"
    assert verdicts[3]["notes"][0].startswith("text truncated")
    rejects = [
        json.loads(line)
        for line in (tmp_path / "verdicts.jsonl.rejects.jsonl").read_text().splitlines()
    ]
    assert [(r["line"], r["reason"][:10]) for r in rejects] == [
        (5, "not JSON: "),
        (6, "not valid "),
    ]


def test_batch_classify_csv(small_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "posts.csv"
    source.write_text(
        'id,text,source,lang\n1,"Reporter at CBC Montreal, seeking comment on the outage",mention,en\n'
        "2,Merci beaucoup!,,\n"
    )
    out = tmp_path / "v.jsonl"
    _run("classify", "--input", str(source), "--output", str(out), "--model", str(small_model[0]))
    verdicts = [json.loads(line) for line in out.read_text().splitlines()]
    assert [v["id"] for v in verdicts] == ["1", "2"] and verdicts[0]["lang"] == "en"
    assert not (tmp_path / "v.jsonl.rejects.jsonl").exists()


@pytest.mark.parametrize("bad", ["missing.jsonl", "posts.txt", "folder.jsonl"])
def test_batch_classify_keeps_an_earlier_output_when_the_input_is_bad(
    small_model, tmp_path: Path, bad: str  # type: ignore[no-untyped-def]
) -> None:
    (tmp_path / "posts.txt").write_text("hello\n")
    (tmp_path / "folder.jsonl").mkdir()
    out = tmp_path / "o.jsonl"
    out.write_text('{"id": "earlier"}\n')
    result = runner.invoke(app, ["classify", "--input", str(tmp_path / bad), "--output", str(out),
                                 "--model", str(small_model[0])])
    assert result.exit_code == 2 and bad in result.output
    assert out.read_text() == '{"id": "earlier"}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.jsonl", "o.jsonl", "posts.txt"]


def test_classify_without_output_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["classify", "--input", str(tmp_path / "x.jsonl")])
    assert result.exit_code == 2 and "--output" in result.output


def test_train_then_eval_round_trip(small_rows: list[LabelledRow], tmp_path: Path) -> None:
    data = tmp_path / "labelled.jsonl"
    data.write_text("".join(r.model_dump_json(exclude_none=True) + "\n" for r in small_rows))
    out = tmp_path / "model"
    output = _run(
        "train", "--data", str(data), "--out", str(out), "--version", "cli-1", "--holdout", "0.2"
    )
    assert "model cli-1" in output and "held-out macro-F1" in output
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["version"] == "cli-1" and meta["training_data"]["rows"] == len(small_rows)
    result = runner.invoke(app, ["eval", "--data", str(data), "--model", str(out), "--json"])
    report = json.loads(result.stdout)  # the warning about training rows goes to stderr
    assert report["model_version"] == "cli-1" and set(report["by_lang"]) == {"en", "fr"}
    assert report["training_rows_seen"] == len(small_rows)
    text = _run("eval", "--data", str(data), "--model", str(out))
    assert "macro-F1" in text and "confusions" in text


def test_eval_with_folds_cross_validates(small_rows: list[LabelledRow], tmp_path: Path) -> None:
    data = tmp_path / "labelled.jsonl"
    data.write_text("".join(r.model_dump_json() + "\n" for r in small_rows[::3]))
    report = json.loads(_run("eval", "--data", str(data), "--folds", "2", "--json"))
    assert report["folds"] == 2 and report["rows"] == len(small_rows[::3])


def test_train_refuses_bad_data_and_eval_refuses_a_model_without_metadata(tmp_path: Path) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text('{"text": "x", "labels": ["not_a_label"]}\n')
    result = runner.invoke(app, ["train", "--data", str(data), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2 and "bad.jsonl:1" in result.output
    data.write_text('{"text": "x", "labels": []}\n')
    result = runner.invoke(app, ["eval", "--data", str(data), "--model", str(tmp_path)])
    assert result.exit_code == 2 and "no metadata.json" in result.output


def test_train_with_feedback_folds_in_the_queues_corrections(
    small_rows: list[LabelledRow], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workflow.feedback

    data = tmp_path / "labelled.jsonl"
    data.write_text("".join(r.model_dump_json() + "\n" for r in small_rows[::2]))
    database = f"sqlite:///{tmp_path / 'workflow.db'}"
    args = [
        "train",
        "--data",
        str(data),
        "--with-feedback",
        "--database-url",
        database,
        "--holdout",
        "0",
    ]
    _run(*args, "--out", str(tmp_path / "m0"))  # a workflow that never ran: no corrections
    meta = json.loads((tmp_path / "m0" / "metadata.json").read_text())
    assert meta["training_data"]["feedback_rows"] == 0

    corrections = [
        {
            "text": "Three weeks and still no refund",
            "labels": ["complaint"],
            "lang": "en",
            "source": "mention",
            "id": 41,
            "bio": None,
            "place": None,
        },
        {"text": "Bravo à l'équipe!", "labels": [], "lang": "fr", "source": "staff", "id": "x:9"},
    ]
    monkeypatch.setattr(workflow.feedback, "export_feedback", lambda url: corrections)
    output = _run(*args, "--out", str(tmp_path / "m1"))
    assert "2 from feedback" in output
    meta = json.loads((tmp_path / "m1" / "metadata.json").read_text())
    assert meta["training_data"]["rows"] == len(small_rows[::2]) + 2

    monkeypatch.setattr(workflow.feedback, "export_feedback", lambda url: [{"labels": ["x"]}])
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "m2")])
    assert result.exit_code == 2 and "feedback row 1 is not a valid labelled row" in result.output


def test_check_draft_explains_what_would_be_flagged(small_model) -> None:  # type: ignore[no-untyped-def]
    text = "Voici le deck interne seulement, et le cell de Julien Roy : 514-555-0199"
    output = _run(
        "check-draft",
        text,
        "--bio",
        "Conseiller chez Laurentia Mobile",
        "--model",
        str(small_model[0]),
        code=1,  # something flagged: a script can gate on it
    )
    assert "risky_disclosure (personal_data)" in output and "phone: •••-•••-0199" in output
    assert "514-555" not in output  # masked wherever it is shown
    assert "missing_disclaimer" in output and "author's bio" in output
    calm = _run(
        "check-draft",
        "Belle journée au parc!",
        "--model",
        str(small_model[0]),
        "--bio",
        "Conseiller chez Laurentia Mobile. Mes opinions n'engagent que moi.",
    )
    assert "Nothing to flag." in calm


SAMPLE = Path(__file__).parents[2] / "ingest" / "samples" / "sample_stream.jsonl"


def test_batch_reads_replay_records_as_the_stream_does(tmp_path: Path) -> None:
    """The sample stream's post records give, in batch, the labels the streaming service gives."""
    from classify.engine import Engine
    from classify.item import Item
    from events.schemas import Post
    from events.settings import Settings

    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)[:80]
    source, out = tmp_path / "posts.jsonl", tmp_path / "verdicts.jsonl"
    source.write_text("".join(lines), encoding="utf-8")
    assert "80 posts classified" in _run("classify", "--input", str(source), "--output", str(out))
    verdicts = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    posts = [Post.model_validate({**json.loads(line), "collected_by": "t"}) for line in lines]
    live = Engine.from_settings(Settings()).classify([Item.from_post(p) for p in posts])
    assert [v["id"] for v in verdicts] == [p.post_id for p in posts]
    assert [[lv["label"] for lv in v["labels"]] for v in verdicts] == [
        [str(lv.label) for lv in result.labels] for result in live
    ]
    assert sum(bool(v["labels"]) for v in verdicts) > 5


def test_batch_reads_csv_post_records_with_author_columns(tmp_path: Path) -> None:
    source, out = tmp_path / "posts.csv", tmp_path / "verdicts.jsonl"
    source.write_text(
        "platform,platform_post_id,author.id,author.handle,author.description,source,"
        "staff_member_id,text,created_at\n"
        'x,77,5,kev,"Technicien chez Laurentia Mobile 📡",staff,s-10,'
        '"Belle journée de travail sur le réseau à Laval",2026-11-16T13:07:40Z\n'
        'x,78,6,ann,,mention,,"bonjour",not-a-date\n',
        encoding="utf-8",
    )
    output = _run("classify", "--input", str(source), "--output", str(out))
    assert "1 post classified" in output and "1 row could not be read" in output
    [verdict] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert verdict["id"] == "x:77"
    assert [lv["label"] for lv in verdict["labels"]] == ["missing_disclaimer"]  # the author's bio
    [reject] = [
        json.loads(line)
        for line in (tmp_path / "verdicts.jsonl.rejects.jsonl").read_text().splitlines()
    ]
    assert reject["line"] == 3 and "created_at" in reject["reason"]


def test_check_draft_runs_the_services_detector_settings(tmp_path: Path) -> None:
    text = "Le cell de Julien Roy c'est le 514-555-0199 si vous voulez lui parler"
    assert "phone: •••-•••-0199" in _run("check-draft", text, code=1)
    config = tmp_path / "detectors.yaml"
    config.write_text("detectors:\n  phone: {enabled: false}\n", encoding="utf-8")
    result = runner.invoke(app, ["check-draft", text], env={"VIGIE_DETECTORS_CONFIG": str(config)})
    assert "phone:" not in result.output
    assert result.exit_code == (0 if "Nothing to flag." in result.output else 1), result.output


def test_eval_warns_when_the_rows_are_the_models_own_training_rows(
    small_rows: list[LabelledRow], tmp_path: Path
) -> None:
    seen, unseen = tmp_path / "seen.jsonl", tmp_path / "unseen.jsonl"
    seen.write_text("".join(r.model_dump_json() + "\n" for r in small_rows[:40]))
    unseen.write_text('{"text": "a post written after training", "labels": []}\n')
    out = tmp_path / "model"
    _run("train", "--data", str(seen), "--out", str(out), "--holdout", "0")
    result = runner.invoke(app, ["eval", "--data", str(seen), "--model", str(out), "--json"])
    assert result.exit_code == 0
    assert "warning: 40 of 40 rows (100%) are rows this model was trained on" in result.output
    fresh = runner.invoke(app, ["eval", "--data", str(unseen), "--model", str(out), "--json"])
    assert fresh.exit_code == 0 and "warning" not in fresh.output
    assert json.loads(fresh.stdout)["training_rows_seen"] == 0
