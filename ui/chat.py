"""The Gradio web chat, in Chinese: streamed answers with citations and figure badges, feedback, documents panel,
and the 报告核查 tab (each report's audit findings with their passages)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.records import AnswerRecord
from assistant.service import Assistant, QuestionError
from assistant.settings import Settings
from index.catalog import CatalogError
from index.loaders import format_names
from index.store import StoreError
from ui.feedback import FeedbackStore, Rating
from ui.render import (
    CSS,
    REVIEW_CSS,
    documents_list,
    history_from_messages,
    message_text,
    record_id_of,
    render_error,
    render_record,
    render_review,
    render_streaming,
)
from ui.uploads import UploadError, display_name, index_upload, store_upload

EXAMPLES = [
    "2023年预算完成率是多少？",
    "公车一年花了多少钱？",
    "全年预算数和实际支出相差多少？",
    "机关运行经费的预算执行情况如何？",
]
TITLE = "报告问答助手"
INTRO = (
    "针对部门整体支出绩效自评报告提问。回答中的每个数字都经代码核对，"
    "标注 **已核验 / 计算得出 / 报告自相矛盾 / 不一致 / 未核验**；点开引用可查看原文。"
)
REVIEW_INTRO = (
    "复算报告自身的数字关系：完成率、分项合计、占比、得分与分值、预算调整、增减变化、单位笔误、前后数值不一致、"
    "所列事项数目和标题编号。**不一致**须复核；**提示**为舍入级差异，勾选后显示。点开一条可查看复算算式和原文。"
)
EMBED_CSS = """
#ra-header, #ra-examples, footer { display: none !important; }
.gradio-container { padding-top: 4px !important; }
"""
"""Extra styles of the embed view: no header chrome, no examples, no footer."""

Records = dict[str, dict[str, Any]]
_PROGRESS = gr.Progress()  # Gradio swaps in a tracker bound to the event when a parameter defaults to one


class ChatHandlers:
    """Thin callbacks: they call the assistant and the pure render functions, nothing more."""

    def __init__(self, assistant: Assistant, store: FeedbackStore, settings: Settings) -> None:
        self.assistant = assistant
        self.store = store
        self.settings = settings

    # -- chat --------------------------------------------------------------------------------------
    def _lookup(self, records: Records) -> Any:
        def lookup(record_id: str) -> AnswerRecord | None:
            if record_id in records:
                return AnswerRecord.model_validate(records[record_id])
            return self.store.record(record_id)

        return lookup

    def respond(
        self, question: str, messages: list[dict[str, Any]] | None, selected: list[str] | None, records: Records | None
    ) -> Iterator[tuple[Any, ...]]:
        """Stream the answer into the chat, then replace it with the rendered record."""
        messages = list(messages or [])
        records = dict(records or {})
        question = (question or "").strip()
        if not question:
            yield gr.skip(), messages, records
            return
        history = history_from_messages(messages, self._lookup(records))
        messages += [{"role": "user", "content": question}, {"role": "assistant", "content": render_streaming("")}]
        yield "", messages, records
        text = ""
        try:
            for event in self.assistant.stream(question, history, set(selected) if selected else None):
                if event.kind == "delta":
                    text += event.text
                    messages[-1] = {"role": "assistant", "content": render_streaming(text)}
                elif event.record is not None:
                    self.store.remember(event.record)
                    records[event.record.id] = event.record.model_dump(mode="json")
                    messages[-1] = {"role": "assistant", "content": render_record(event.record)}
                yield "", messages, records
        except QuestionError as exc:
            messages[-1] = {"role": "assistant", "content": render_error(str(exc))}
            yield "", messages, records
        except (StoreError, CatalogError) as exc:  # the index is down or damaged: say so in the chat
            messages[-1] = {"role": "assistant", "content": render_error(f"服务暂时不可用：{exc}")}
            yield "", messages, records

    def clear(self) -> tuple[Any, ...]:
        """Empty the conversation."""
        return [], {}, None, gr.update(visible=False), ""

    # -- feedback ----------------------------------------------------------------------------------
    def like(
        self, messages: list[dict[str, Any]] | None, records: Records | None, request: gr.Request, data: gr.LikeData
    ) -> tuple[Any, ...]:
        """Store 👍/👎 on the answer it was given to, then offer a comment box."""
        messages = messages or []
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        content = message_text(messages[index]["content"]) if 0 <= index < len(messages) else ""
        record_id = record_id_of(content) or record_id_of(message_text(data.value))
        record = self._lookup(records or {})(record_id) if record_id else None
        if record is None:
            return None, gr.update(visible=False), "这条消息不是回答，无法评价。"
        rating: Rating = "up" if data.liked is True or data.liked == "Like" else "down"
        feedback_id = self.store.add(rating, record=record, user=_user(self.settings, request))
        note = "已记录：👍 有帮助。" if rating == "up" else "已记录：👎 没有帮助。"
        return feedback_id, gr.update(visible=True), note + "可在下方补充意见（可选）。"

    def comment(self, feedback_id: int | None, text: str) -> tuple[Any, ...]:
        """Attach the optional comment to the last feedback."""
        if feedback_id is None or not (text or "").strip():
            return gr.skip(), gr.skip(), "请先输入意见。"
        self.store.set_comment(int(feedback_id), text)
        return "", gr.update(visible=False), "已收到您的意见，谢谢！"

    # -- report audit ------------------------------------------------------------------------------
    def review_choices(self, current: str | None = None) -> Any:
        """Return the report choices of the 报告核查 view, keeping the one shown when it is still indexed."""
        docs = self.assistant.corpus.documents()
        ids = [d.id for d in docs]
        value = current if current in ids else (ids[0] if ids else None)
        return gr.update(choices=[(d.name, d.id) for d in docs], value=value)

    def review(self, document_id: str | None, notes: bool) -> str:
        """Return the findings of one report: 不一致 always, 提示 when asked."""
        names = {d.id: d.name for d in self.assistant.corpus.documents()}
        if not document_id or document_id not in names:
            return render_review([], "", notes)
        try:
            findings = self.assistant.review([document_id], "notes" if notes else "failing")
        except (StoreError, CatalogError) as exc:
            return render_error(f"服务暂时不可用：{exc}")
        return render_review(findings, names[document_id], notes)

    # -- documents ---------------------------------------------------------------------------------
    def documents(self, selected: list[str] | None = None) -> tuple[Any, ...]:
        """Return the report choices (all ticked unless a selection is kept) and the documents table."""
        docs = self.assistant.corpus.documents()
        ids = [d.id for d in docs]
        value = [i for i in (selected or []) if i in ids] or ids
        choices = [(d.name, d.id) for d in docs]
        table = documents_list([(d.name, d.passages, d.characters) for d in docs])
        return gr.update(choices=choices, value=value), table

    def upload(
        self, file_path: str | None, selected: list[str] | None, progress: gr.Progress = _PROGRESS
    ) -> tuple[Any, ...]:
        """Store the uploaded report under a generated name, index it with progress, and tick it."""
        if not file_path:
            return "请先选择要上传的报告文件。", gr.skip(), gr.skip(), gr.skip()
        settings = self.settings
        name = display_name(Path(file_path).name)
        try:
            with open(file_path, "rb") as source:
                stored = store_upload(source, name, settings.data_dir / "uploads", settings.server.max_upload_mb)
            progress(0, desc=f"正在读取 {name}")

            def report_progress(message: str, done: int, total: int) -> None:
                progress((done, total) if total else 1.0, desc=message)

            report = index_upload(self.assistant.corpus, stored, name, progress=report_progress)
        except UploadError as exc:
            return f"✖ {exc.message}", gr.skip(), gr.skip(), None
        docs = self.assistant.corpus.documents()
        new_ids = [d.id for d in docs if d.name == name]
        choice, table = self.documents(list(selected or []) + new_ids)
        if report.added or report.replaced:
            status = f"✔ 已索引《{name}》，全库共 {report.passages} 个段落，用时 {report.seconds:.1f} 秒。"
        else:
            status = f"《{name}》与已索引的版本相同，无需重新索引。"
        return status, choice, table, None


def _user(settings: Settings, request: gr.Request | None) -> str | None:
    header = settings.server.trusted_user_header
    if not header or request is None:
        return None
    value = request.headers.get(header.lower())
    return str(value) if value else None


def build_blocks(assistant: Assistant, store: FeedbackStore, settings: Settings, *, embed: bool = False) -> gr.Blocks:
    """Build the chat UI (the embed view drops the header, examples and footer)."""
    handlers = ChatHandlers(assistant, store, settings)
    blocks = gr.Blocks(title=TITLE, fill_width=embed, analytics_enabled=False)  # no network at run time
    with blocks:
        records = gr.State({})
        last_feedback = gr.State(None)
        with gr.Column(elem_id="ra-header"):
            gr.Markdown(f"# {TITLE}\n{INTRO}")
        with gr.Tabs(elem_id="ra-tabs"):
            with gr.Tab("问答", id="chat", elem_id="ra-tab-chat"), gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=360):
                    chatbot = gr.Chatbot(
                        label="对话",
                        elem_id="ra-chat",
                        height=620 if not embed else 520,
                        feedback_options=("Like", "Dislike"),
                        buttons=["copy"],
                        layout="bubble",
                        placeholder="请在下方输入问题，回答会附上引用原文和数字核验结果。",
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            show_label=False,
                            placeholder="请输入问题，例如：2023年预算完成率是多少？",
                            elem_id="ra-question",
                            scale=6,
                            lines=1,
                            max_lines=4,
                            autofocus=not embed,
                        )
                        send = gr.Button("发送", variant="primary", elem_id="ra-send", scale=1, min_width=80)
                        clear = gr.Button("清空对话", elem_id="ra-clear", scale=1, min_width=80)
                    feedback_note = gr.Markdown(elem_id="ra-feedback-note")
                    with gr.Row(visible=False, elem_id="ra-comment-row") as comment_row:
                        comment = gr.Textbox(label="补充意见（可选）", elem_id="ra-comment", scale=5)
                        comment_send = gr.Button("提交意见", elem_id="ra-comment-send", scale=1)
                    with gr.Column(elem_id="ra-examples"):
                        gr.Examples(EXAMPLES, inputs=question, label="示例问题")
                with (
                    gr.Column(scale=1, min_width=260),
                    gr.Accordion("报告", open=not embed, elem_id="ra-documents"),
                ):
                    selection = gr.CheckboxGroup(label="查询范围（不选则查询全部报告）", elem_id="ra-doc-choice")
                    table = gr.Markdown(elem_id="ra-doc-table")
                    upload = gr.File(
                        # No file_types filter: the browser would refuse other files with an English pop-up;
                        # check_suffix refuses them in Chinese instead.
                        label=f"上传报告（{format_names()}）",
                        file_count="single",
                        type="filepath",
                        elem_id="ra-upload",
                    )
                    upload_send = gr.Button("上传并索引", elem_id="ra-upload-send")
                    upload_status = gr.Markdown(elem_id="ra-upload-status")
            with gr.Tab("报告核查", id="review", elem_id="ra-tab-review"):
                gr.Markdown(REVIEW_INTRO, elem_id="ra-review-intro")
                review_doc = gr.Dropdown(label="报告", elem_id="ra-review-doc")
                review_notes = gr.Checkbox(label="同时显示舍入级提示", elem_id="ra-review-notes")
                review_view = gr.HTML(elem_id="ra-review-view")

        ask_inputs = [question, chatbot, selection, records]
        ask_outputs = [question, chatbot, records]
        question.submit(handlers.respond, ask_inputs, ask_outputs, show_progress="hidden")
        send.click(handlers.respond, ask_inputs, ask_outputs, show_progress="hidden")
        clear.click(handlers.clear, None, [chatbot, records, last_feedback, comment_row, feedback_note])
        chatbot.like(handlers.like, [chatbot, records], [last_feedback, comment_row, feedback_note])
        comment_send.click(handlers.comment, [last_feedback, comment], [comment, comment_row, feedback_note])
        comment.submit(handlers.comment, [last_feedback, comment], [comment, comment_row, feedback_note])
        upload_send.click(handlers.upload, [upload, selection], [upload_status, selection, table, upload]).then(
            handlers.review_choices, review_doc, review_doc
        )
        review_doc.change(handlers.review, [review_doc, review_notes], review_view)
        review_notes.change(handlers.review, [review_doc, review_notes], review_view)
        blocks.load(handlers.documents, None, [selection, table]).then(handlers.review_choices, None, review_doc)
    return blocks


def page_css(embed: bool) -> str:
    """Return the CSS of the full or the embed view."""
    return CSS + REVIEW_CSS + (EMBED_CSS if embed else "")
