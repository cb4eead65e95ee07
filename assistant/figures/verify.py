"""Verify the figures of a text (an answer draft) against a report: verified, derived, mismatch or unverified."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.figures.derive import Derived, find_derivation
from assistant.records import FigureCheck, FigureStatus
from index.facts import Fact, FactTable, build_fact_table
from index.figures import Figure, parse_figures, unit_compatible
from index.models import SECTION_SEPARATOR, Document, Passage

_NOISE = re.compile(r"[\s0-9.,，。；;：:、！？!?（）()“”\"'|=+\-−÷×≈%％]+")
STRONG = 0.72  # context similarity at which a report figure is taken to be "the same quantity"
WEAK = 0.5  # context similarity below which a differing report value proves nothing
MARGIN = 0.25  # how much better the differing figure's context must be to beat a value match


def grams(text: str) -> frozenset[str]:
    """Return the character bigrams (and single characters of short strings) of text without digits."""
    clean = _NOISE.sub(" ", text)
    grams: set[str] = set()
    for piece in clean.split():
        if len(piece) == 1:
            grams.add(piece)
        grams.update(piece[i : i + 2] for i in range(len(piece) - 1))
    return frozenset(grams)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Return how much of context `a` is found in context `b` (blend of containment and Dice)."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return 0.6 * common / len(a) + 0.4 * 2 * common / (len(a) + len(b))


@dataclass(frozen=True)
class LocatedFigure:
    """A figure of a report with where it stands: document, section path, sentence."""

    figure: Figure
    document_id: str
    document: str
    section: str
    sentence: str
    grams: frozenset[str]
    labelgrams: frozenset[str]
    note: str = ""
    fact: Fact | None = field(default=None, compare=False)

    @property
    def where(self) -> str:
        place = self.section or self.document
        return f"{place}：{self.sentence}" if place else self.sentence


@dataclass(frozen=True)
class FigureVerdict:
    """The verdict on one figure, with the report figure or derivation behind it."""

    figure: Figure
    status: FigureStatus
    source: str = ""
    note: str = ""
    match: LocatedFigure | None = None
    derivation: Derived | None = None

    def to_record(self) -> FigureCheck:
        """Return the answer-record form of this verdict."""
        return FigureCheck(
            text=self.figure.text,
            value=self.figure.value,
            unit=self.figure.unit,
            status=self.status,
            source=self.source,
            note=self.note,
        )


def _sentence(text: str, start: int, end: int) -> str:
    lo = max(text.rfind(ch, 0, start) for ch in "。！？\n") + 1
    hi_candidates = [i for i in (text.find(ch, end) for ch in "。！？\n") if i != -1]
    hi = min(hi_candidates) + 1 if hi_candidates else len(text)
    sentence = text[lo:hi].strip()
    return sentence if len(sentence) <= 160 else text[max(lo, start - 60) : min(hi, end + 60)].strip()


def _context(figure: Figure) -> frozenset[str]:
    return grams(figure.window)


def _label(figure: Figure) -> frozenset[str]:
    return grams(figure.label + " " + figure.after)


def value_matches(claim: Figure, report: Figure) -> bool:
    """Say whether a claimed figure equals a report figure at the claim's stated precision."""
    if not unit_compatible(claim, report):
        return False
    if claim.family == "plain":
        target = report.value
        slack = 0.5 * 10.0 ** (-claim.decimals)
        return abs(claim.value - target) <= slack + 1e-9 * max(1.0, abs(target)) or abs(
            claim.value - report.base
        ) <= slack + 1e-9 * max(1.0, abs(report.base))
    slack = claim.half_ulp
    if report.approximate:
        slack = max(slack, report.half_ulp)
    return abs(claim.base - report.base) <= slack + 1e-9 * max(1.0, abs(report.base))


def _magnitude_slip(claim: Figure, report: Figure) -> bool:
    """Say whether a claim repeats a report number with another magnitude (万元 written as 元)."""
    return (
        claim.family == report.family
        and claim.family in ("money", "count")
        and claim.magnitude != report.magnitude
        and abs(claim.value - report.value) <= 0.5 * 10.0 ** (-claim.decimals) + 1e-9
        and claim.value != 0
    )


@dataclass
class ReportFigures:
    """Every figure of the indexed report(s), parsed once, with section and sentence, ready for verification."""

    documents: Sequence[Document]
    passages: Sequence[Passage] = ()
    fact_tables: dict[str, FactTable] = field(default_factory=dict)
    corrections: dict[tuple[str, int], tuple[str, Figure | None]] = field(default_factory=dict)
    figures: list[LocatedFigure] = field(init=False)
    _by_document: dict[str, list[LocatedFigure]] = field(init=False)
    _passage_cache: dict[str, list[LocatedFigure]] = field(init=False)

    def __post_init__(self) -> None:
        self.figures = []
        self._by_document = {}
        self._passage_cache = {}
        for document in self.documents:
            table = self.fact_tables.get(document.id)
            if table is None:
                table = self.fact_tables[document.id] = build_fact_table(document)
            located = [self._locate(document, fact) for fact in table.facts]
            self._by_document[document.id] = located
            self.figures.extend(located)

    def _locate(self, document: Document, fact: Fact) -> LocatedFigure:
        figure = fact.figure()
        sentence = document.text[fact.sentence_start : fact.sentence_end].strip()
        if len(sentence) > 160:
            sentence = _sentence(document.text, figure.start, figure.end)
        return LocatedFigure(
            figure=figure,
            document_id=document.id,
            document=document.name,
            section=SECTION_SEPARATOR.join(fact.scope) or self._section_at(document, figure.start),
            sentence=sentence,
            grams=_context(figure),
            labelgrams=_label(figure),
            fact=fact,
        )

    def _section_at(self, document: Document, offset: int) -> str:
        spans = self._section_spans(document.id)
        best: tuple[int, str] | None = None
        for start, end, path in spans:
            if start <= offset < end and (best is None or end - start < best[0]):
                best = (end - start, path)
        return best[1] if best else ""

    def _section_spans(self, document_id: str) -> list[tuple[int, int, str]]:
        cache: dict[str, list[tuple[int, int, str]]] = self.__dict__.setdefault("_spans", {})
        if document_id not in cache:
            spans = _outline_spans(next(d for d in self.documents if d.id == document_id))
            if not spans:
                spans = [(p.start, p.end, p.section) for p in self.passages if p.document_id == document_id]
            cache[document_id] = spans
        return cache[document_id]

    def in_document(self, document_id: str) -> list[LocatedFigure]:
        """Return the figures of one document in text order."""
        return self._by_document.get(document_id, [])

    def in_passage(self, passage: Passage) -> list[LocatedFigure]:
        """Return the report figures inside a passage (parsed from its text if its document is unknown)."""
        if passage.id not in self._passage_cache:
            figures = [
                f
                for f in self._by_document.get(passage.document_id, [])
                if passage.start <= f.figure.start < passage.end
            ]
            if not figures and passage.document_id not in self._by_document:
                doc = Document(
                    id=passage.document_id,
                    name=passage.document,
                    text=passage.text,
                    sha256="",
                )
                figures = [
                    LocatedFigure(
                        f,
                        doc.id,
                        doc.name,
                        passage.section,
                        _sentence(passage.text, f.start, f.end),
                        _context(f),
                        _label(f),
                    )
                    for f in parse_figures(passage.text)
                ]
            self._passage_cache[passage.id] = figures
        return self._passage_cache[passage.id]

    def verify(self, claim: Figure, cited: Sequence[Passage] = (), pool: Sequence[Figure] = ()) -> FigureVerdict:
        """Verify one figure: cited passages first, then the whole report; try derivation from `pool`."""
        cited_figures = [f for p in cited for f in self.in_passage(p)]
        cited_ids = {id(f) for f in cited_figures}
        everything = cited_figures + [f for f in self.figures if id(f) not in cited_ids]
        context, label = _context(claim), _label(claim)
        scored: list[tuple[float, LocatedFigure]] = []
        for located in everything:
            if not unit_compatible(claim, located.figure) and not _magnitude_slip(claim, located.figure):
                continue
            score = 0.7 * similarity(context, located.grams) + 0.3 * similarity(label, located.labelgrams)
            if id(located) in cited_ids:
                score += 0.05
            scored.append((score, located))
        if not scored:
            return self._fallback(claim, pool, None, 0.0)
        best_score, best = max(scored, key=lambda item: item[0])
        matches = [(s, f) for s, f in scored if value_matches(claim, f.figure) or self._matches_corrected(claim, f)]
        if matches:
            match_score, match = max(matches, key=lambda item: item[0])
            differs = not value_matches(claim, best.figure)
            if differs and best_score >= STRONG and best_score - match_score >= MARGIN:
                return self._mismatch(claim, best)
            return self._verified(claim, match)
        slips = [
            (s, f) for s, f in scored if _magnitude_slip(claim, f.figure) and not self._matches_corrected(claim, f)
        ]
        if slips:
            slip_score, slip = max(slips, key=lambda item: item[0])
            if slip_score >= WEAK or slip_score >= best_score - 0.05:
                note = f"报告为{slip.figure.text}，数量级/单位不同（{claim.unit or '无单位'} ≠ {slip.figure.unit}）"
                return FigureVerdict(claim, "mismatch", slip.where, note, match=slip)
        return self._fallback(claim, pool, best, best_score)

    def _fallback(
        self,
        claim: Figure,
        pool: Sequence[Figure],
        best: LocatedFigure | None,
        score: float,
    ) -> FigureVerdict:
        if best is not None and score >= STRONG and unit_compatible(claim, best.figure):
            return self._mismatch(claim, best)
        derivation = find_derivation(claim, pool) if pool else None
        if derivation is not None:
            return FigureVerdict(
                claim,
                "derived",
                derivation.formula,
                "由报告数字计算得出",
                derivation=derivation,
            )
        if best is not None and score >= WEAK and unit_compatible(claim, best.figure):
            return self._mismatch(claim, best)
        return FigureVerdict(claim, "unverified", "", "报告中未找到该数字，也无法由引用的数字算出")

    def _matches_corrected(self, claim: Figure, located: LocatedFigure) -> bool:
        correction = self.corrections.get((located.document_id, located.figure.start))
        return correction is not None and correction[1] is not None and value_matches(claim, correction[1])

    def _verified(self, claim: Figure, match: LocatedFigure) -> FigureVerdict:
        correction = self.corrections.get((match.document_id, match.figure.start))
        note = correction[0] if correction else ""
        return FigureVerdict(claim, "verified", match.where, note, match=match)

    def _mismatch(self, claim: Figure, best: LocatedFigure) -> FigureVerdict:
        note = f"报告为{best.figure.text}"
        correction = self.corrections.get((best.document_id, best.figure.start))
        if correction:
            note += f"（{correction[0]}）"
        return FigureVerdict(claim, "mismatch", best.where, note, match=best)

    def check_text(self, text: str, cited: Sequence[Passage] = ()) -> list[FigureVerdict]:
        """Verify every figure of a text; figures of the text and the cited passages may serve as operands."""
        claims = parse_figures(text)
        cited_pool = [f.figure for p in cited for f in self.in_passage(p)]
        verdicts: list[FigureVerdict] = []
        for claim in claims:
            pool = [f for f in claims if f is not claim] + cited_pool
            verdicts.append(self.verify(claim, cited, pool))
        return verdicts

    def check(self, text: str, cited: Sequence[Passage] = ()) -> list[FigureCheck]:
        """Verify every figure of a text and return answer-record checks."""
        return [v.to_record() for v in self.check_text(text, cited)]


def _outline_spans(document: Document) -> list[tuple[int, int, str]]:
    """Return section spans from the outline parser (used when no passages were given)."""
    try:
        from index.structure import parse_sections
    except ImportError:  # pragma: no cover - the index package ships with the project
        return []
    return [(s.start, s.end, SECTION_SEPARATOR.join(s.path)) for s in parse_sections(document)]


_CACHE: dict[tuple[tuple[str, str], ...], ReportFigures] = {}


def report_figures(
    documents: Iterable[Document], passages: Sequence[Passage] = (), fact_tables: dict[str, FactTable] | None = None
) -> ReportFigures:
    """Return the (cached) figure index of a set of documents; built once per set of document versions."""
    docs = list(documents)
    key = tuple((d.id, d.sha256 or str(hash(d.text))) for d in docs)
    index = _CACHE.get(key)
    if index is None:
        index = ReportFigures(docs, passages, dict(fact_tables or {}))
        from assistant.figures.audit import audit_corrections

        index.corrections = audit_corrections(index)
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = index
    return index


def check_figures(text: str, cited_passages: Sequence[Passage], documents: Sequence[Document]) -> list[FigureCheck]:
    """Check every figure of an answer draft against its cited passages and the report(s)."""
    return report_figures(documents, cited_passages).check(text, cited_passages)
