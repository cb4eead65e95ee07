"""Running a question set end to end: the runner, the outputs, the HTML report and baseline deltas."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from assistant.evaluation import (
    EvalResult,
    load_result,
    print_summary,
    run_eval,
    run_retrieval_eval,
    score_answers_file,
)
from assistant.records import AnswerRecord, Citation, FigureCheck, RetrievedPassage

QUESTIONS = [
    {
        "id": "t-01",
        "question": "2023年全年预算数是多少？",
        "type": "lookup",
        "answer": "全年预算数21,766.40万元。",
        "must_include": ["21,766.40万元"],
        "evidence": ["全年预算数 21766.40万元"],
        "section": "一、基本情况 > （三）部门整体收支情况",
    },
    {
        "id": "t-02",
        "question": "预算完成率是多少？",
        "type": "numeric",
        "answer": "预算完成率87.19%。",
        "must_include": ["87.19%"],
        "evidence": ["预算完成率 87.19%"],
        "section": "一、基本情况 > （三）部门整体收支情况",
    },
    {
        "id": "t-03",
        "question": "区政数局的局长是谁？",
        "type": "unanswerable",
        "answer": "报告没有提到局领导的姓名。",
        "must_include": [],
        "evidence": [],
        "section": "一、基本情况 > （一）部门概况",
    },
    {
        "id": "t-04",
        "question": "公务用车保有量是多少？",
        "type": "lookup",
        "answer": "3辆。",
        "must_include": ["3辆"],
        "evidence": ["公务用车保有量为 3辆"],
        "section": "一、基本情况 > 4.“三公”经费支出情况",
    },
]

PASSAGES = {
    "p-budget": (
        "一、基本情况 > （三）部门整体收支情况",
        "全年预算数21,766.40万元，支出18,977.96万元，预算完成率87.19%。",
    ),
    "p-car": ("一、基本情况 > 4.“三公”经费支出情况", "公务用车保有量为3辆（其中特种用车0辆）。"),
    "p-other": ("二、综合评价分析", "整体绩效自评分值为94.4分，自评结果为优。"),
}


@pytest.fixture
def questions_path(tmp_path: Path) -> Path:
    """Write the small question set (with a blank line) and return its path."""
    path = tmp_path / "questions.jsonl"
    lines = [json.dumps(q, ensure_ascii=False) for q in QUESTIONS]
    path.write_text("\n".join([*lines[:2], "", *lines[2:]]) + "\n", encoding="utf-8")
    return path


def retrieved(*ids: str) -> list[RetrievedPassage]:
    """Return passages in the given rank order."""
    return [RetrievedPassage(passage_id=i, section=PASSAGES[i][0], text=PASSAGES[i][1], score=1.0) for i in ids]


def good_answer(question: str) -> AnswerRecord:
    """Answer every question right, citing the passage that holds the evidence."""
    ranked = retrieved("p-other", "p-car", "p-budget") if "公务用车" in question else retrieved("p-budget", "p-car")
    answers = {
        "2023年全年预算数是多少？": "2023年全年预算数21,766.40万元[1]。",
        "预算完成率是多少？": "预算完成率87.19%[1]。",
        "公务用车保有量是多少？": "公务用车保有量为3辆[1]。",
    }
    if question not in answers:
        return AnswerRecord(id="chain-id", question=question, answer="报告未提及局长姓名。", refused=True)
    top = next(p for p in ranked if p.passage_id != "p-other")
    cite = Citation(marker="1", passage_id=top.passage_id, document="d", section=top.section, text=top.text, quote="")
    figures = (
        [FigureCheck(text="87.19%", value=87.19, unit="%", status="verified")] if "87.19" in answers[question] else []
    )
    return AnswerRecord(
        id="chain-id",
        question=question,
        answer=answers[question],
        citations=[cite],
        retrieved=ranked,
        figures=figures,
        latency_ms=12.0,
    )


def worse_answer(question: str) -> AnswerRecord:
    """Answer like good_answer, but fail on the completion rate, answer the director, and crash on cars."""
    if "公务用车" in question:
        raise RuntimeError("检索服务不可用")
    if "局长" in question:
        return AnswerRecord(id="x", question=question, answer="局长是张三。")
    record = good_answer(question)
    if "完成率" in question:
        mismatch = FigureCheck(text="86.19%", value=86.19, unit="%", status="mismatch")
        return record.model_copy(update={"answer": "预算完成率86.19%[1]。", "figures": [mismatch]})
    return record


def test_the_runner_survives_a_question_that_raises_and_records_it(questions_path: Path, tmp_path: Path) -> None:
    answers = tmp_path / "out" / "answers.jsonl"
    result = run_eval(questions_path, worse_answer, answers_out=answers, progress=False)
    lines = [json.loads(line) for line in answers.read_text("utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["t-01", "t-02", "t-03", "t-04"]
    assert lines[3]["error"] == "RuntimeError: 检索服务不可用"
    assert "检索服务不可用" in answers.read_text("utf-8")  # Chinese kept readable (ensure_ascii=False)
    crashed = next(o for o in result.outcomes if o.id == "t-04")
    assert crashed.error == "RuntimeError: 检索服务不可用" and crashed.failed
    assert result.overall.counts["errors"] == 1


def test_records_take_the_question_id(questions_path: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.jsonl"
    run_eval(questions_path, good_answer, answers_out=answers, progress=False)
    records = [AnswerRecord.model_validate_json(line) for line in answers.read_text("utf-8").splitlines()]
    assert [r.id for r in records] == ["t-01", "t-02", "t-03", "t-04"]


def test_a_perfect_answer_function_passes_every_metric(questions_path: Path) -> None:
    result = run_eval(questions_path, good_answer, progress=False)
    values = result.overall.values
    assert result.failing() == []
    assert values["hit@1"] == pytest.approx(2 / 3) and values["hit@3"] == 1.0 and values["mrr"] == pytest.approx(5 / 6)
    assert values["correct"] == values["citation_support"] == values["figures_clean"] == 1.0
    assert values["refusal_accuracy"] == 1.0 and values["false_refusal_rate"] == 0.0
    assert values["latency_p50_ms"] == 12.0 and values["wall_p95_ms"] is not None
    assert list(result.per_type) == ["lookup", "numeric", "unanswerable"]


def test_metrics_json_holds_overall_per_type_and_outcomes(questions_path: Path, tmp_path: Path) -> None:
    metrics = tmp_path / "metrics.json"
    run_eval(questions_path, worse_answer, metrics_out=metrics, progress=False)
    data = json.loads(metrics.read_text("utf-8"))
    assert set(data["per_type"]) == {"lookup", "numeric", "unanswerable"}
    assert data["overall"]["values"]["correct"] == pytest.approx(0.25)
    assert data["per_type"]["unanswerable"]["values"]["refusal_accuracy"] == 0.0
    assert "答案缺少：87.19%" in metrics.read_text("utf-8")
    assert load_result(metrics).overall == EvalResult.model_validate(data).overall


def test_the_html_report_lists_failing_questions_and_draws_a_chart_per_metric(
    questions_path: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.html"
    result = run_eval(questions_path, worse_answer, report_out=report, progress=False)
    html = report.read_text("utf-8")
    assert html.count("<svg") == len(result.specs()) >= 10
    for text in ["预算完成率是多少？", "预算完成率87.19%。", "预算完成率86.19%[1]。", "答案缺少：87.19%"]:
        assert text in html  # question, expected, got, what failed
    assert "数字未核验通过且无可见提示：86.19%（mismatch）" in html
    assert "区政数局的局长是谁？" in html and "应明确拒答" in html
    assert "RuntimeError: 检索服务不可用" in html
    assert "一、基本情况 &gt; （三）部门整体收支情况" in html  # retrieved section paths
    assert 'id="q-t-01"' not in html  # passing questions are not listed as failing


def test_the_html_report_is_self_contained(questions_path: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    run_eval(questions_path, worse_answer, report_out=report, progress=False)
    html = report.read_text("utf-8")
    assert not re.search(r"(?:https?:)?//[\w.-]+\.\w+/", html)
    assert not re.search(r"<(?:script|link)[^>]+(?:src|href)=", html)
    assert '<html lang="zh-CN">' in html


def test_a_baseline_gives_deltas_per_metric_and_type(questions_path: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    run_eval(questions_path, good_answer, metrics_out=baseline, progress=False)
    report = tmp_path / "report.html"
    result = run_eval(questions_path, worse_answer, report_out=report, baseline=baseline, progress=False)
    comparison = result.comparison
    assert comparison is not None and comparison.baseline_source == str(baseline)
    correct = comparison.get("overall", "correct")
    assert correct is not None and correct.status == "regressed"
    assert correct.baseline == 1.0 and correct.delta == pytest.approx(-0.75)
    numeric = comparison.get("numeric", "figures_clean")
    assert numeric is not None and numeric.status == "regressed" and numeric.delta == -1.0
    unanswerable = comparison.get("unanswerable", "refusal_accuracy")
    assert unanswerable is not None and unanswerable.status == "regressed"
    assert comparison.newly_failing == ["t-02", "t-03", "t-04"] and comparison.newly_passing == []
    html = report.read_text("utf-8")
    assert "与基线对比" in html and "退步" in html and "-75.0pp" in html and "新失败" in html
    assert 'class="baseline"' in html


def test_an_improvement_over_the_baseline_is_marked_improved(questions_path: Path, tmp_path: Path) -> None:
    earlier = run_eval(questions_path, worse_answer, progress=False)
    result = run_eval(questions_path, good_answer, baseline=earlier, progress=False)
    assert result.comparison is not None
    assert {d.status for d in result.comparison.deltas if d.metric == "correct"} == {"improved"}
    assert result.comparison.newly_passing == ["t-02", "t-03", "t-04"]
    assert result.comparison.regressed == [] or all(d.metric.endswith("_ms") for d in result.comparison.regressed)


def test_answers_written_earlier_can_be_scored_again(questions_path: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.jsonl"
    live = run_eval(questions_path, worse_answer, answers_out=answers, progress=False)
    again = score_answers_file(questions_path, answers)
    assert again.overall.values["correct"] == live.overall.values["correct"]
    assert [o.failed for o in again.outcomes] == [o.failed for o in live.outcomes]


def test_retrieval_only_evaluation_scores_hits_per_type(questions_path: Path) -> None:
    def retrieve(question: str) -> list[RetrievedPassage]:
        if "公务用车" in question:
            raise TimeoutError("慢")
        return retrieved("p-other", "p-budget")

    result = run_retrieval_eval(questions_path, retrieve, k_values=(1, 2), progress=False)
    assert result.kind == "retrieval"
    numeric = result.per_type["numeric"].values
    assert (numeric["hit@1"], numeric["hit@2"], numeric["mrr"]) == (0.0, 1.0, 0.5)
    assert result.per_type["lookup"].values["hit@2"] == 0.5
    assert result.per_type["unanswerable"].values["mrr"] is None
    assert [spec.name for spec in result.specs()][:3] == ["hit@1", "hit@2", "mrr"]
    assert result.overall.values["correct"] is None
    assert next(o for o in result.outcomes if o.id == "t-04").error == "TimeoutError: 慢"


def test_the_terminal_table_shows_every_type_and_the_change(questions_path: Path) -> None:
    earlier = run_eval(questions_path, good_answer, progress=False)
    result = run_eval(questions_path, worse_answer, baseline=earlier, progress=False)
    console = Console(record=True, width=140, color_system=None)
    print_summary(result, console)
    text = console.export_text()
    for word in [
        "问答评测（4 题）",
        "全部",
        "lookup",
        "numeric",
        "unanswerable",
        "正确",
        "-0.75",
        "新失败：t-02、t-03、t-04",
    ]:
        assert word in text


def test_the_progress_bar_can_be_shown_without_disturbing_stdout(
    questions_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_eval(questions_path, good_answer, progress=True)
    assert result.overall.counts["questions"] == 4
    assert capsys.readouterr().out == ""
