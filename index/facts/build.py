"""Build the fact table of a document: prose figures sentence by sentence, table cells row by column."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.facts.model import Fact, FactTable, Period, Role
from index.facts.roles import (
    is_category,
    period_of,
    report_year,
    role_of,
    strip_trailing,
    subject_of,
    unit_level,
    unit_names,
)
from index.figures import Figure, parse_figures
from index.models import CELL_SEPARATOR, SECTION_SEPARATOR, Document, Table
from index.structure import Outline, marker_of, parse_outline
from index.text import addresses_assistant, clause_groups, clauses, sentences

_UNIT_NOTE = re.compile(r"单位[：:]\s*(万元|亿元|千元|元|%|分|个|人|项|次)")
_HEADER_UNIT = re.compile(r"[（(]\s*(万元|亿元|千元|元|%|分|个|人|项|次|公里|人次|户|家|件)\s*[)）]")
_HEADER_WEIGHT = re.compile(r"[（(]\s*(?:满分|分值|权重)?\s*\d+(?:\.\d+)?\s*分\s*[)）]")
_BARE_NUMBER = re.compile(r"^([≥≤<>＞＜]?=?)\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*$")
_LABEL_MARKER = re.compile(r"^(?:[（(]?[一二三四五六七八九十\d]+[)）.．、]\s*|[①-⑳]\s*)")
_MONEY_HEADER = re.compile(r"预算|支出|金额|到位|拨付|资金|收入|投资|结余|结转|经费")
_TOTAL_LABEL = re.compile(r"^(?:合计|总计|小计|总体)")
_EMPTY_CELL = frozenset({"", "—", "-", "－", "/", "——", "无"})
# A column that states each row's unit ("指标名称 | 计量单位 | 2022年 | 2023年"): its cell is the unit of the row's
# bare numbers, not a label.
_UNIT_COLUMN = re.compile(r"(?:计量|计算)?单位")
_HEADING_MARKER = re.compile(
    r"^(?:第[一二三四五六七八九十百\d]+[部分章节条]\s*|[（(]?[一二三四五六七八九十\d]+[)）.．、]\s*|[①-⑳])"
)


def heading_title(heading: str) -> str:
    """Return a heading without its outline marker.

    >>> heading_title("（三）乡村文化站提升工程")
    '乡村文化站提升工程'
    """
    return _HEADING_MARKER.sub("", heading).strip()


class _Builder:
    def __init__(self, document: Document, outline: Outline) -> None:
        self.document = document
        self.outline = outline
        self.year = report_year(document.text)
        self.units = unit_names(document.text)
        self.facts: list[Fact] = []

    def add(self, figure: Figure, **fields: object) -> None:
        self.facts.append(
            Fact(
                id=len(self.facts),
                document_id=self.document.id,
                text=figure.text,
                value=figure.value,
                unit=figure.unit,
                family=figure.family,
                counter=figure.counter,
                magnitude=figure.magnitude,
                decimals=figure.decimals,
                start=figure.start,
                end=figure.end,
                qualifier=figure.qualifier,
                approximate=figure.approximate,
                window=fields.pop("window", figure.window),  # type: ignore[arg-type]
                after=fields.pop("after", figure.after),  # type: ignore[arg-type]
                **fields,  # type: ignore[arg-type]
            )
        )

    # -- prose -----------------------------------------------------------------------------------------
    def prose(self) -> None:
        text = self.document.text
        label: tuple[tuple[str, ...], str] = ((), "")  # a short numbered paragraph naming what follows
        for paragraph in self.outline.paragraphs:
            if self.document.table_at(paragraph.start) is not None:
                continue
            title = heading_title(paragraph.path[-1]) if paragraph.path else ""
            short = paragraph.text.strip()
            if marker_of(short) and len(short) <= _LABEL_PARAGRAPH and not parse_figures(short):
                label = (paragraph.path, heading_title(short).rstrip("。：:；;"))  # "（1）基本支出。"
                continue
            if label[0] == paragraph.path and label[1]:
                title = label[1]
            opening = sentences(text, paragraph.start, paragraph.end)[:1]
            if (
                opening
                and marker_of(short)
                and len(opening[0].text) <= _LABEL_PARAGRAPH
                and not parse_figures(opening[0].text)
                and opening[0].end < paragraph.end
            ):
                title = heading_title(opening[0].text).rstrip("。：:；;")  # "（1）基本支出。年度预算…"
            lead = _lead(paragraph.text)
            for sentence in sentences(text, paragraph.start, paragraph.end):
                if addresses_assistant(sentence.text):
                    continue  # an order to the assistant planted in a document states no fact
                self._sentence(sentence.start, sentence.end, paragraph.path, title, lead)

    def _sentence(self, start: int, end: int, path: tuple[str, ...], title: str, lead: str) -> None:
        text = self.document.text
        figures = [f for f in parse_figures(text[start:end]) if f.family != "plain" or "," in f.text]
        if not figures:
            return
        context = " ".join(x for x in (title, lead) if x)
        groups = [g.start - start for g in clause_groups(text, start, end)]
        clause_starts = [c.start - start for c in clauses(text, start, end)]
        reading = _Reading()
        # A sentence that sets goals, or any sentence of a section of goals ("二、绩效目标 > （一）总体目标"), not
        # of one that reports on them ("绩效目标完成情况").
        goals = _GOALS.match(text[start:end]) is not None or (
            any(_GOAL_HEADING.search(h) for h in path) and not any(_REPORTED_HEADING.search(h) for h in path)
        )
        for figure in figures:
            group = max((g for g in groups if g <= figure.start), default=0)
            if group != reading.group:
                reading = _Reading(group)
            role, word = role_of(figure.label, figure.family)
            if role == "weight" and re.search(r"[得获]满分$", strip_trailing(figure.label)):
                role, word = "score", "得满分"  # "因此得满分4.4分": the score reached its full mark
            if figure.qualifier in _TARGET_QUALIFIERS:
                role, word = "target", figure.qualifier  # "不少于1,200家次": a goal, not what was done
            elif goals and role not in ("weight", "score"):
                role, word = "target", "目标"  # "年度总体目标：…同比下降5%以上": every figure of it is a goal
            elif role not in ("weight", "score") and (aim := _AIM.search(_clause_before(text, start, figure))):
                role, word = "target", aim.group(0)  # "力争全年新增造林1.5万亩以上": what is aimed at
            own = subject_of(figure.label, word)
            clause_from = max((c for c in clause_starts if c <= figure.start), default=0)
            before = text[start + clause_from : start + figure.start]
            period, year = period_of(before, self.year)
            role, own, period = reading.resolve(figure, role, word, own, period)
            if role == "change":
                period, year = "current", ""
            if own and unit_level(own, self.units):
                own = ""  # "凤栖分局全年支出": the reporting unit itself, no subject of its own
            subject = own or reading.subject or title
            generic = not own and not reading.subject
            if own:
                reading.subject = own
            self.add(
                _shift(figure, start),
                role=role,
                role_word=word,
                label=figure.label,
                subject=subject,
                context=context,
                scope=path,
                period=period,
                year=year,
                sentence_start=start,
                sentence_end=end,
                generic=generic,
            )

    def money_unit(self) -> str:
        """Return the money unit the report's prose uses most (a table that states none uses it too)."""
        units = [f.unit for f in self.facts if f.family == "money"]
        return max(set(units), key=units.count) if units else ""

    # -- tables ----------------------------------------------------------------------------------------
    def tables(self) -> None:
        for index, table in enumerate(self.document.tables):
            self._table(index, table)

    def _table(self, index: int, table: Table) -> None:
        text = self.document.text
        around = text[max(0, table.start - 120) : table.start] + " ".join(table.header)
        note = _UNIT_NOTE.search(table.caption) or _UNIT_NOTE.search(around)
        table_unit = note.group(1) if note else ""
        money_unit = self.money_unit()
        path = next((p.path for p in self.outline.paragraphs if p.start <= table.start < p.end + 1), ())
        scope = path + ((table.caption,) if table.caption and (not path or path[-1] != table.caption) else ())
        parents: list[tuple[int, str]] = []  # (marker rank, label) of hierarchical row labels (一、 > 1.)
        unit_column = next((i for i, h in enumerate(table.header) if _UNIT_COLUMN.fullmatch(h.strip())), -1)
        for r, row in enumerate(table.rows):
            row_unit = _row_unit(row.cells, unit_column)
            labels, values = _split_row(row.cells, table.header, skip=unit_column)
            if not labels and not values:
                continue
            subject = _LABEL_MARKER.sub("", labels[-1]) if labels else ""
            rank = _label_rank(labels[-1]) if labels else None
            if rank is not None:
                while parents and parents[-1][0] >= rank:
                    parents.pop()
            context_parts = [p for _, p in parents] + [_LABEL_MARKER.sub("", x) for x in labels[:-1]]
            context = " ".join([*context_parts, table.caption]).strip()
            for column, cell in values:
                header = table.header[column] if column < len(table.header) else ""
                offset = _cell_offset(row.cells, column)
                cell_start = row.start + offset
                prose = not _is_value(cell)  # a 说明 cell: its figures carry labels of their own
                for figure in _cell_figures(cell, header, row_unit or table_unit, money_unit):
                    if prose:
                        role, word = role_of(figure.label, figure.family)
                    else:
                        # "调整后预算（万元）": the unit in brackets closes the header, the role word before it.
                        role, word = role_of(_HEADER_UNIT.sub("", header).strip() or figure.label, figure.family)
                        if role == _FAMILY_DEFAULT.get(figure.family) and figure.label:
                            role, word = role_of(figure.label, figure.family)
                        if row_unit and not word and subject:
                            # A row of a by-year table ("部门实际支出 | 万元 | 35,906.47 | …"): the header is
                            # a year, the row's label names the role.
                            role, word = role_of(subject, figure.family)
                        if role == "actual" and subject:
                            # An indicator table's 实际完成值 of a row that names a role (预算执行率): the value is
                            # that role's, not a bare "actual value".
                            named, named_word = role_of(subject, figure.family)
                            if named not in ("actual", "target") and named_word:
                                role, word = named, named_word
                    period, year = period_of(figure.label if prose else header, self.year)
                    self.add(
                        _shift(figure, cell_start),
                        role=role,
                        role_word=word,
                        label=figure.label if prose else f"{subject}{header}",
                        subject=subject or header,
                        context=context,
                        scope=scope,
                        period=period if role != "change" else "current",
                        year=year,
                        sentence_start=row.start,
                        sentence_end=row.end,
                        column=header,
                        table=index,
                        row=r,
                        window=f"{context} {subject}{header}|",
                        after="",
                    )
            if rank is not None and labels:
                parents.append((rank, subject))


_FAMILY_DEFAULT: dict[str, Role] = {"money": "amount", "percent": "rate", "count": "count", "score": "score"}
_LABEL_PARAGRAPH = 20
_TARGET_QUALIFIERS = frozenset({"不低于", "不少于", "不高于", "不超过", "≥", "≤"})
# A sentence that opens by saying it sets goals ("年度总体目标：…", "绩效目标为：…"); not one that reports them met.
_GOALS = re.compile(r"^\s*(?![^，。；：:]*(?:完成|实现|达到|超额|超过))[^，。；：:]{0,10}目标(?:为|是)?[：:]")
_BREAKDOWN = re.compile(r"^(?:其中|包括|含)[：:]?")
_COMPARISON = re.compile(r"^(?:比|较|相比|与)")
_MONEY_ROLES = frozenset({"adjusted_budget", "initial_budget", "budget", "spending", "income", "adjustment"})


_GOAL_HEADING = re.compile(r"目标")
_REPORTED_HEADING = re.compile(r"完成|实现|情况|偏差|结果|分析|评价")
_AIM = re.compile(r"力争|确保|争取")


def _clause_before(text: str, start: int, figure: Figure) -> str:
    """Return the words of a figure's clause before it (its sentence starts at `start`)."""
    before = text[start : start + figure.start]
    return re.split(r"[，。；：,;:]", before)[-1]


class _Reading:
    """What a clause group has said so far: its subject, its whole (before 其中) and whether parts are listed."""

    def __init__(self, group: int = -1) -> None:
        self.group = group
        self.subject = ""
        self.whole: tuple[Figure, Role, str] | None = None
        self.parts = False
        self.listed = 0  # parts read since 其中
        self.previous: tuple[Figure, Role, str] | None = None

    def resolve(self, figure: Figure, role: Role, word: str, own: str, period: Period) -> tuple[Role, str, Period]:
        """Return role, own subject and period once parts (其中…) and comparisons (比上年…) are read."""
        label = figure.label.strip()
        category = is_category(label, word)
        if _BREAKDOWN.match(label):
            self.parts, self.listed = True, 0
        elif self.parts and word and not category:
            self.parts = False
        plain = role == _FAMILY_DEFAULT.get(figure.family)
        compares = _COMPARISON.match(label) is not None and plain
        if compares and self.parts and self.listed >= 2 and self.whole is not None:
            # "其中A 5.00万元、B 3.00万元，较上年的10.00万元下降20.00%": after a list of parts, the comparison
            # speaks of the whole the list breaks down.
            whole, whole_role, whole_subject = self.whole
            if whole.family == figure.family:
                role, own = whole_role, own or whole_subject
                period = "previous" if period == "current" else period
            self.parts = False
        elif self.parts and self.whole is not None and (plain or category):
            whole, whole_role, _ = self.whole
            if whole.family == figure.family and whole_role in _MONEY_ROLES:
                role = whole_role
            self.listed += 1
        elif compares and self.previous is not None:
            previous, previous_role, previous_subject = self.previous
            if previous.family == figure.family:
                role, own = previous_role, own or previous_subject
                period = "previous" if period == "current" else period
        if not self.parts:
            self.whole = (figure, role, own or self.subject)
        self.previous = (figure, role, own or self.subject)
        return role, own, period


def _lead(paragraph: str) -> str:
    """Return the opening clause of a paragraph without figures (what its later sentences continue)."""
    first = re.split(r"[，。；：,;:]", paragraph, maxsplit=1)[0]
    first = re.sub(r"\d[\d,.]*\S{0,2}", "", first)
    return heading_title(first)[:30]


def _shift(figure: Figure, offset: int) -> Figure:
    from dataclasses import replace

    return replace(figure, start=figure.start + offset, end=figure.end + offset)


def _row_unit(cells: Sequence[str], column: int) -> str:
    """Return the unit a row's unit cell states ("万元", "人次"), or "" where there is none."""
    if not 0 <= column < len(cells):
        return ""
    unit = cells[column].strip()
    parsed = parse_figures(f"1{unit}") if unit and len(unit) <= 4 else []
    return unit if parsed and parsed[0].family != "plain" and parsed[0].text.endswith(unit) else ""


def _split_row(cells: Sequence[str], header: Sequence[str], skip: int = -1) -> tuple[list[str], list[tuple[int, str]]]:
    """Return a row's label cells (leading cells without figures, ordinals skipped) and its value cells; the
    column `skip` (a unit column) is neither."""
    labels: list[str] = []
    values: list[tuple[int, str]] = []
    for column, cell in enumerate(cells):
        name = header[column] if column < len(header) else ""
        cell = cell.strip()
        if cell in _EMPTY_CELL or column == skip:
            continue
        if not values and (("序号" in name and not _TOTAL_LABEL.match(cell)) or (cell.isdigit() and column == 0)):
            continue  # an ordinal; a 合计 written in the 序号 column labels its row
        has_number = _is_value(cell)
        if not values and not has_number and not _is_value_header(name):
            labels.append(cell)
        elif has_number or re.search(r"\d", cell):
            values.append((column, cell))
        elif not values:
            labels.append(cell)
    return labels, values


def _is_value(cell: str) -> bool:
    """Tell whether a cell states a value (a number, a figure) rather than naming a row ("1.人员经费", "5G基站")."""
    text = _LABEL_MARKER.sub("", cell).strip()
    if _BARE_NUMBER.match(text):
        return True
    found = [f for f in parse_figures(text) if f.family != "plain"]
    return bool(found) and sum(len(f.text) for f in found) * 2 >= len(text)


def _is_value_header(name: str) -> bool:
    return bool(re.search(r"预算|支出|金额|率|分值|得分|值|数|合计|收入", name)) and "名称" not in name


def _label_rank(label: str) -> int | None:
    found = marker_of(label)
    if found is None:
        return None
    return {"cn": 0, "paren_cn": 1, "num": 2, "paren_num": 3, "circled": 4}.get(found[0])


def _cell_offset(cells: Sequence[str], column: int) -> int:
    return sum(len(c) + len(CELL_SEPARATOR) for c in cells[:column])


def _cell_figures(cell: str, header: str, table_unit: str, money_unit: str = "") -> list[Figure]:
    """Return the figures of a cell; a bare number takes the unit its column header or the table states (a
    money column of a table that states none, the report's usual money unit)."""
    bare = _BARE_NUMBER.match(cell)
    if bare:
        unit = _column_unit(header, table_unit)
        if not unit and money_unit and _MONEY_HEADER.search(header):
            unit = money_unit
        if not unit:
            return []
        sign, number = bare.group(1), bare.group(2)
        parsed = parse_figures(number + unit)
        if not parsed:
            return []
        figure = parsed[0]
        from dataclasses import replace

        lead = cell.index(number)
        return [
            replace(
                figure,
                text=number,
                start=lead,
                end=lead + len(number),
                qualifier=sign or figure.qualifier,
                label="",
            )
        ]
    return [f for f in parse_figures(cell) if f.family != "plain"]


def _column_unit(header: str, table_unit: str) -> str:
    found = _HEADER_UNIT.search(header)
    if found:
        return found.group(1)
    if _HEADER_WEIGHT.search(header):
        return "分"  # "效益指标(30分)": a score column that states its weight
    if re.search(r"率|比例|占比|比重", header):
        return "%"
    if re.search(r"分值|得分|评分|分数|权重|总分|满分", header):
        return "分"
    return table_unit


def build_fact_table(document: Document, outline: Outline | None = None) -> FactTable:
    """Return the fact table of a document: its prose figures and its table cells, in text order."""
    builder = _Builder(document, outline or parse_outline(document))
    builder.prose()
    builder.tables()
    facts = sorted(builder.facts, key=lambda f: f.start)
    from dataclasses import replace

    facts = [replace(f, id=i) for i, f in enumerate(facts)]
    return FactTable(document.id, f"{document.id}@{document.sha256[:12]}", facts, builder.year, builder.units)


def section_of(fact: Fact) -> str:
    """Return the heading path of a fact as one string."""
    return SECTION_SEPARATOR.join(fact.scope)
