"""The outline of a report: heading paths from 一、 （一） 1. （1） ① and 第X章/节/条, list items told from headings."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.loaders import load_document
from index.models import SECTION_SEPARATOR, Document
from index.structure import Outline, marker_of, parse_outline, parse_sections

# The seed's table of contents, one heading a line, indented two spaces a level. Its numbered paragraphs with an
# inline title ("（1）推进政务服务全程标准化。一是…") are body text, not headings: a heading has no sentence end
# before its body.
SEED_TREE = """
一、基本情况
  （一）部门概况
  （二）年度总体工作和重点工作任务
  （三）部门整体收支情况
    1.部门预算收支总体情况
    2.部门预算收入情况
    3.部门预算支出情况
    4.“三公”经费支出情况
    5.机关运行经费预算支出情况
    6.政府采购预算支出情况
    7.非税收入征缴情况
  （三）部门整体绩效管理情况
二、综合评价分析
  （一）自评结论综述
  （二）各项工作任务绩效目标完成情况分析
    1.履职效能方面
    2.管理效能方面
  （三）各重点任务项目支出完成情况分析
  （四）主要工作成效
    1.推进政务服务“三化”建设，优化营商环境
    2.落实“放管服”改革，激发市场活力
    3.发挥“云、网、数、安”支撑作用，夯实数据底座
    4.推进数字政府2.0建设，赋能基层治理
三、存在的主要问题
四、下一步改进措施
五、附件
"""


def paths_of_tree(tree: str) -> list[str]:
    r"""Return the heading path of every line of an indented outline.

    >>> paths_of_tree("一、甲\n  （一）乙\n二、丙")
    ['一、甲', '一、甲 > （一）乙', '二、丙']
    """
    stack: list[str] = []
    paths: list[str] = []
    for line in tree.strip("\n").split("\n"):
        depth = (len(line) - len(line.lstrip(" "))) // 2
        stack[depth:] = [line.strip()]
        paths.append(SECTION_SEPARATOR.join(stack))
    return paths


SEED_OUTLINE = paths_of_tree(SEED_TREE)  # the report numbers （三） twice under 一、; both are kept


def doc(*lines: str) -> Document:
    """Return a document whose paragraphs are the given lines."""
    return Document(id="doc-test", name="test.txt", text="\n".join(lines), sha256="0" * 64)


def path_of(outline: Outline, starts_with: str) -> str:
    """Return the heading path of the paragraph that starts with the given text."""
    matches = [p for p in outline.paragraphs if p.text.startswith(starts_with)]
    assert len(matches) == 1, f"{starts_with!r} matches {len(matches)} paragraphs"
    return SECTION_SEPARATOR.join(matches[0].path)


@pytest.fixture(scope="module")
def seed_outline(seed_path: Path) -> tuple[Document, Outline]:
    document = load_document(seed_path)
    return document, parse_outline(document)


def test_the_seed_outline_is_the_reports_table_of_contents(seed_outline: tuple[Document, Outline]) -> None:
    _, outline = seed_outline
    assert [SECTION_SEPARATOR.join(s.path) for s in outline.sections] == SEED_OUTLINE


def test_each_seed_section_spans_its_heading_and_sits_inside_its_parent(seed_outline: tuple[Document, Outline]) -> None:
    document, outline = seed_outline
    by_path = {s.path: s for s in outline.sections}
    for section in outline.sections:
        assert document.text[section.start :].startswith(section.marker + section.title[:4])
        assert section.level == len(section.path)
        parent = by_path.get(section.path[:-1])
        if parent is not None:
            assert parent.start < section.start and section.end <= parent.end
    first, second = by_path[("一、基本情况",)], by_path[("二、综合评价分析",)]
    assert first.end == second.start and by_path[("五、附件",)].end == len(document.text)


@pytest.mark.parametrize(
    ("paragraph", "path"),
    [
        # numbered duties ending in full stops are list items under （一）, not headings
        ("1.负责组织起草全区政务服务", "一、基本情况 > （一）部门概况"),
        ("12.完成区委、区政府", "一、基本情况 > （一）部门概况"),
        # a numbered paragraph with an inline title (title, full stop, body) is body text of the heading above it
        (
            "（1）推进政务服务全程标准化。一是",
            "二、综合评价分析 > （四）主要工作成效 > 1.推进政务服务“三化”建设，优化营商环境",
        ),
        ("（2）项目支出。年度预算20,585.55万元", "一、基本情况 > （三）部门整体收支情况 > 3.部门预算支出情况"),
        ("①信息化运维、新建类项目", "一、基本情况 > （三）部门整体收支情况 > 3.部门预算支出情况"),
        # numbered problems under 三、 are sentences with a comma, not headings
        ("（一）财政资金使用效益仍需进一步提高，", "三、存在的主要问题"),
        ("（二）在项目执行过程中，", "四、下一步改进措施"),
        ("2023年，我部门全年预算数21766.40万元", SEED_OUTLINE[6]),
        ("2023年部门整体支出绩效自评报告", ""),  # the title precedes every heading
    ],
)
def test_seed_paragraphs_get_their_heading_path(
    seed_outline: tuple[Document, Outline], paragraph: str, path: str
) -> None:
    _, outline = seed_outline
    assert path_of(outline, paragraph) == path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一、基本情况", ("cn", "一、")),
        ("十二、附件", ("cn", "十二、")),
        ("（三）部门整体收支情况", ("paren_cn", "（三）")),
        ("(四)主要工作成效", ("paren_cn", "(四)")),
        ("3.部门预算支出情况", ("num", "3.")),
        ("12．完成区委交办的任务", ("num", "12．")),
        ("（2）项目支出", ("paren_num", "（2）")),
        ("①信息化运维", ("circled", "①")),
        ("第一章 总则", ("chapter", "第一章")),
        ("第二节 审批", ("part", "第二节")),
        ("第十二条 本办法自印发之日起施行。", ("article", "第十二条")),
        ("2.19万元为结余", None),
        ("2023年，我部门收入18,977.96万元", None),
        ("“三公”经费", None),
    ],
)
def test_markers_are_recognised_and_numbers_are_not_markers(text: str, expected: tuple[str, str] | None) -> None:
    assert marker_of(text) == expected


REGULATION = """番禺区政务信息化项目管理办法
第一章 总则
第一条 为了规范政务信息化项目管理，提高财政资金使用效益，制定本办法。
第二条 本办法适用于使用区财政资金建设的政务信息化项目。
第二章 项目立项
第一节 申报
第三条 项目单位应当在每年九月底前提出下一年度项目申报。
第四条 区政数局负责组织专家评审，评审结果作为立项依据。
第二节 审批
第五条 项目审批应当在二十个工作日内完成。
第三章 附则
第六条 本办法自2024年1月1日起施行。"""


def test_chapters_sections_and_articles_of_a_regulation() -> None:
    outline = parse_outline(doc(*REGULATION.split("\n")))
    assert [s.path for s in outline.sections] == [
        ("第一章总则",),
        ("第二章项目立项",),
        ("第二章项目立项", "第一节申报"),
        ("第二章项目立项", "第二节审批"),
        ("第三章附则",),
    ]
    # articles are the body of their chapter or section
    assert path_of(outline, "第二条") == "第一章总则"
    assert path_of(outline, "第四条") == "第二章项目立项 > 第一节申报"
    assert path_of(outline, "第五条") == "第二章项目立项 > 第二节审批"
    assert path_of(outline, "第六条") == "第三章附则"


def test_five_marker_levels_nest_in_the_conventional_order() -> None:
    outline = parse_outline(
        doc(
            "一、基本情况",
            "（一）部门整体收支情况",
            "1.部门预算支出情况",
            "（1）项目支出",
            "①信息化运维类项目",
            "预算安排633.98万元，支出486.96万元。",
            "二、综合评价分析",
            "经自评，整体绩效自评分值为94.4分。",
        )
    )
    assert path_of(outline, "预算安排") == SECTION_SEPARATOR.join(
        ["一、基本情况", "（一）部门整体收支情况", "1.部门预算支出情况", "（1）项目支出", "①信息化运维类项目"]
    )
    assert path_of(outline, "经自评") == "二、综合评价分析"
    assert [s.level for s in outline.sections] == [1, 2, 3, 4, 5, 1]


def test_a_document_without_an_outline_has_no_sections() -> None:
    document = doc("关于2023年政务服务工作的说明", "全区全年共受理业务157.83万宗。", "群众评价满意率100%。")
    outline = parse_outline(document)
    assert parse_sections(document) == [] == outline.sections
    assert [p.path for p in outline.paragraphs] == [(), (), ()]
    assert not any(p.heading_only for p in outline.paragraphs)


def test_numbered_duties_after_a_colon_stay_list_items() -> None:
    outline = parse_outline(
        doc(
            "一、基本情况",
            "（一）部门概况",
            "主要职责是：",
            "1.负责组织起草全区政务服务相关政策。",
            "2.负责牵头组织指导协调区行政审批制度改革工作。",
            "（二）年度总体工作",
            "2023年，区政数局扎实开展主题教育。",
        )
    )
    assert [SECTION_SEPARATOR.join(s.path) for s in outline.sections] == [
        "一、基本情况",
        "一、基本情况 > （一）部门概况",
        "一、基本情况 > （二）年度总体工作",
    ]
    assert path_of(outline, "2.负责") == "一、基本情况 > （一）部门概况"
