"""Loading reports: the seed extract re-joined, TXT/MD/PDF/DOCX read, unreadable files refused with a reason."""

from __future__ import annotations

import random
import re
import zipfile
import zlib
from pathlib import Path

import pytest

from index.chunking import chunk_document
from index.loaders import LoaderError, discover, document_id_for, load_document
from index.structure import marker_of

CJK_FONT = "STSong-Light"
SENTENCE_ENDS = tuple("。：；！？")

PARAGRAPH_1 = (
    "2023年，我部门预算总收入18,977.96万元，其中本年收入18,977.96万元，用事业基金弥补收支差额0万元，"
    "年初结转0万元；预算总支出18,977.96万元，全年预算数21766.40万元，预算完成率87.19%，"
    "主要用于保障全区政务服务体系正常运转和数字政府建设。"
)
PARAGRAPH_2 = (
    "全区各部门开展办事指南自查并完成300项415条问题整改，全区应用最新二次统筹规则事项1391项，完成率100%，"
    "依托广东政务服务网发布106个一件事联办套餐和50个一件事导办服务，实现政务服务全程标准化。"
)


def write_pdf(path: Path, pages: list[list[str]], footer: bool = True) -> Path:
    """Write a PDF with a real CJK text layer: one drawn line per string, a '- n -' page number at the foot."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    pdf = canvas.Canvas(str(path))
    for number, lines in enumerate(pages, start=1):
        pdf.setFont(CJK_FONT, 12)
        for row, line in enumerate(lines):
            pdf.drawString(72, 750 - 20 * row, line)
        if footer:
            pdf.setFont(CJK_FONT, 10)
            pdf.drawString(290, 40, f"- {number} -")
        pdf.showPage()
    pdf.save()
    return path


def wrap_like_a_word_processor(text: str, width_pt: float = 240, size: int = 12) -> list[str]:
    """Hard-wrap text at a physical width, never inside a number (as Word lays out Chinese text)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    lines: list[str] = []
    current = ""
    for token in re.findall(r"[0-9.,%]+|.", text):
        if current and pdfmetrics.stringWidth(current + token, CJK_FONT, size) > width_pt:
            lines.append(current)
            current = token
        else:
            current += token
    return [*lines, current] if current else lines


def write_docx(path: Path, heading: str, body: list[str], table: list[list[str]]) -> Path:
    """Write a DOCX with a heading, body paragraphs and a table between them."""
    import docx

    document = docx.Document()
    document.add_heading(heading, level=1)
    document.add_paragraph(body[0])
    grid = document.add_table(rows=len(table), cols=len(table[0]))
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            grid.cell(r, c).text = value
    for paragraph in body[1:]:
        document.add_paragraph(paragraph)
    document.save(str(path))
    return path


def load_error(path: Path) -> LoaderError:
    with pytest.raises(LoaderError) as caught:
        load_document(path)
    assert path.name in str(caught.value), "the message names the file"
    return caught.value


# --- the seed: a hard-wrapped PDF extract saved as .txt -------------------------------------------------------


@pytest.mark.parametrize(
    "joined",
    [
        "支出18,977.96万元，预算完成率87.19%",
        "数据资源盘点",
        "区政数局内设机构共5个，分别为：办公室、审批改革科、政务管理科、电子公务科、数据管理科。",
        # a paragraph broken by a page break (blank lines in the extract) is one paragraph again
        "协助区政府有关部门、行业组织以及国内外相关机构进行业务交流。",
        "2023年新建5G基站2041座，任务完成率113.7%",
    ],
)
def test_the_seed_extract_is_rejoined_without_stray_spaces(seed_path: Path, joined: str) -> None:
    assert joined in load_document(seed_path).text


def test_no_line_of_the_seed_is_a_wrap_or_page_break_fragment(seed_path: Path) -> None:
    lines = load_document(seed_path).text.split("\n")
    titles = [lines[0], lines[1], lines[-1]]  # department, report title, annex title
    assert titles == [
        "广州市番禺区政务服务数据管理局",
        "2023年部门整体支出绩效自评报告",
        "（区政数局）2023年度部门整体支出绩效自评表",
    ]
    fragments = [line for line in lines if not (line.endswith(SENTENCE_ENDS) or marker_of(line) or line in titles)]
    assert fragments == []
    assert not re.search(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]", "\n".join(lines)), "no space between Chinese characters"


def test_the_seed_has_a_stable_identity(seed_path: Path) -> None:
    document = load_document(seed_path)
    assert document.id == document_id_for(seed_path.name) == load_document(seed_path).id
    assert document.name == seed_path.name
    assert document.pages == []  # a .txt has no pages
    assert len(document.sha256) == 64


def test_normalised_text_loads_back_unchanged(seed_path: Path, tmp_path: Path) -> None:
    text = load_document(seed_path).text
    again = tmp_path / "normalised.txt"
    again.write_text(text, encoding="utf-8")
    assert load_document(again).text == text


# --- plain text and markdown --------------------------------------------------------------------------------


def test_a_plain_text_file_keeps_its_paragraphs(tmp_path: Path) -> None:
    paragraphs = [
        "一、基本情况",
        "（一）部门概况",
        "区政数局内设机构共5个。",
        PARAGRAPH_1,
        "2023年，政府采购预算财政拨款936.74万元，完成采购金额936.74万元，完成采购预算100.00%。",
        "二、综合评价分析",
        "经自评，整体绩效自评分值为94.4分，自评结果为优。",
        PARAGRAPH_2,
        "三、存在的主要问题",
        "绩效指标的设置仍需进一步优化。",
    ]
    path = tmp_path / "plain.txt"
    path.write_bytes(("\ufeff" + "\r\n\r\n".join(paragraphs) + "\r\n").encode("utf-8"))
    assert load_document(path).text == "\n".join(paragraphs)


def test_a_plain_text_of_even_one_sentence_lines_keeps_its_lines(tmp_path: Path) -> None:
    lines = [
        "全区全年共受理业务157.83万宗，收到主动评价286.71万次。",
        "其中好评286.71万次，群众评价满意率达到百分之百的水平。",
        "全区应用最新二次统筹规则事项1391项，完成率达到100%。",
        "全区各部门开展办事指南自查并完成300项415条问题整改。",
        "依托广东政务服务网发布106个一件事联办套餐和导办服务。",
        "我区实施的行政许可事项共261项，已全部编制公布清单。",
        "完成26项问题疏解，收集整理镇街承接事权堵点问题13项。",
        "区数据门户发布数据资源主题2667个，累计共享数据1.09亿条。",
        "2023年新建5G基站2041座，任务完成率113.7%，全市第一。",
        "累计建成5G基站13693座，全市排名第二，覆盖持续加强。",
    ]
    path = tmp_path / "lines.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert load_document(path).text.split("\n") == lines


def test_markdown_headings_lose_their_hashes_and_tables_become_rows(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    path.write_text(
        "# 2023年部门整体支出绩效自评报告\n\n"
        "## 一、基本情况\n\n"
        "### （一）部门概况\n\n"
        "本局内设机构共5个，**下属事业单位**1个。\n\n"
        "| 项目 | 预算（万元） | 支出（万元） |\n"
        "| --- | ---: | ---: |\n"
        "| 基本支出 | 1,180.85 | 1,112.47 |\n"
        "| 项目支出 | 20,585.55 | 17,865.48 |\n",
        encoding="utf-8",
    )
    assert load_document(path).text.split("\n") == [
        "2023年部门整体支出绩效自评报告",
        "一、基本情况",
        "（一）部门概况",
        "本局内设机构共5个，下属事业单位1个。",
        "项目 | 预算（万元） | 支出（万元）",
        "基本支出 | 1,180.85 | 1,112.47",
        "项目支出 | 20,585.55 | 17,865.48",
    ]


def test_a_gb18030_text_file_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("一、基本情况\n2023年，我部门预算总收入18,977.96万元。\n".encode("gb18030"))
    assert load_document(path).text == "一、基本情况\n2023年，我部门预算总收入18,977.96万元。"


# --- PDF --------------------------------------------------------------------------------------------------


def test_a_two_page_pdf_keeps_its_page_numbers(tmp_path: Path) -> None:
    path = write_pdf(
        tmp_path / "two.pdf",
        [
            ["一、基本情况", "2023年，我部门预算总收入18,977.96万元。"],
            ["二、综合评价分析", "经自评，整体绩效自评分值为94.4分。"],
        ],
    )
    document = load_document(path)
    assert document.text.split("\n") == [  # the '- 1 -' page numbers are gone
        "一、基本情况",
        "2023年，我部门预算总收入18,977.96万元。",
        "二、综合评价分析",
        "经自评，整体绩效自评分值为94.4分。",
    ]
    assert [page.number for page in document.pages] == [1, 2]
    assert document.page_at(document.text.index("18,977.96")) == 1
    assert document.page_at(document.text.index("94.4分")) == 2
    passages = chunk_document(document, max_chars=80)
    assert [(p.page, p.section) for p in passages] == [(1, "一、基本情况"), (2, "二、综合评价分析")]


def test_a_hard_wrapped_pdf_is_rejoined_across_the_page_break(tmp_path: Path) -> None:
    lines = ["一、基本情况", *wrap_like_a_word_processor(PARAGRAPH_1), *wrap_like_a_word_processor(PARAGRAPH_2)]
    assert len(lines) >= 10
    path = write_pdf(tmp_path / "wrapped.pdf", [lines[:6], lines[6:]])
    document = load_document(path)
    assert document.text.split("\n") == ["一、基本情况", PARAGRAPH_1, PARAGRAPH_2]
    assert document.page_at(document.text.index(PARAGRAPH_1)) == 1, "a paragraph keeps the page it starts on"
    assert document.page_at(document.text.index(PARAGRAPH_2)) == 2


def _unsupported_filter(tmp_path: Path) -> bytes:
    data = write_pdf(tmp_path / "source.pdf", [["一、基本情况"]]).read_bytes()
    assert b"/FlateDecode" in data
    return data.replace(b"/FlateDecode", b"/FlateDecodX")  # same length: offsets stay valid


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data, _: random.Random(7).randbytes(3000), id="random-bytes"),
        pytest.param(lambda data, _: b"%PDF-1.4\n" + random.Random(8).randbytes(3000), id="header-then-garbage"),
        pytest.param(lambda data, _: data[: len(data) // 2], id="truncated-half"),
        pytest.param(lambda data, _: data[: int(len(data) * 0.95)], id="truncated-tail"),
        pytest.param(lambda data, tmp_path: _unsupported_filter(tmp_path), id="unknown-stream-filter"),
    ],
)
def test_a_corrupt_pdf_is_refused_with_its_name(tmp_path: Path, damage: object) -> None:
    good = write_pdf(tmp_path / "good.pdf", [["一、基本情况", "2023年，我部门预算总收入18,977.96万元。"]]).read_bytes()
    path = tmp_path / "损坏的报告.pdf"
    path.write_bytes(damage(good, tmp_path))  # type: ignore[operator]
    assert "PDF 文件已损坏" in str(load_error(path))


def test_a_pdf_without_a_text_layer_is_refused_as_a_scan(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(50, 50, 400, 600, fill=1)  # a page-sized picture, no text
    pdf.showPage()
    pdf.save()
    assert "没有文字层" in str(load_error(path))


# --- DOCX -------------------------------------------------------------------------------------------------


def test_a_docx_keeps_its_heading_paragraphs_and_table_rows(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "report.docx",
        heading="一、基本情况",
        body=["2023年，我部门预算总收入18,977.96万元。", "以上为收支情况。"],
        table=[["项目", "预算", "支出"], ["基本支出", "1,180.85", "1,112.47"]],
    )
    assert load_document(path).text.split("\n") == [
        "一、基本情况",
        "2023年，我部门预算总收入18,977.96万元。",
        "项目 | 预算 | 支出",
        "基本支出 | 1,180.85 | 1,112.47",
        "以上为收支情况。",
    ]


def _zip_without_document(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/other.xml", "<x/>")


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda path, good: path.write_bytes(b"this is not a zip file at all"), id="not-a-zip"),
        pytest.param(lambda path, good: path.write_bytes(good[: len(good) // 2]), id="truncated"),
        pytest.param(lambda path, good: _zip_without_document(path), id="zip-without-document"),
    ],
)
def test_a_corrupt_docx_is_refused_with_its_name(tmp_path: Path, make: object) -> None:
    good = write_docx(tmp_path / "good.docx", "一、基本情况", ["正文。"], [["a", "b"]]).read_bytes()
    path = tmp_path / "坏文件.docx"
    make(path, good)  # type: ignore[operator]
    assert "DOCX" in str(load_error(path))


# --- files that are not reports ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".txt", ".md", ".pdf", ".docx"])
@pytest.mark.parametrize("content", [b"", b" \r\n\t\n"], ids=["zero-bytes", "whitespace"])
def test_an_empty_file_is_refused_as_empty(tmp_path: Path, suffix: str, content: bytes) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(content)
    assert load_error(path).reason == "文件为空"


@pytest.mark.parametrize("name", ["report.rtf", "report.pptx", "report.doc", "report"])
def test_an_unsupported_file_type_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("一、基本情况", encoding="utf-8")
    assert "不支持的文件类型" in str(load_error(path))


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(random.Random(3).randbytes(5000), id="random-bytes"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), id="png"),
        pytest.param(zlib.compress("一、基本情况。".encode() * 200), id="compressed"),
    ],
)
def test_binary_garbage_with_a_txt_suffix_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "garbage.txt"
    path.write_bytes(content)
    assert "不是可识别的文本文件" in str(load_error(path))


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert load_error(tmp_path / "nowhere.txt").reason == "文件不存在"


def test_folders_expand_to_reports_without_question_sets_or_hidden_files(tmp_path: Path) -> None:
    for name in ["b.pdf", "a.txt", "sub/c.docx", "sub/d.md", ".hidden.txt", "questions.jsonl", "notes.rtf"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = discover([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.txt", "b.pdf", "sub/c.docx", "sub/d.md"]
