"""deltatok's Python consumer: reads the token-delta topics the Flink job writes, mirrors each
camera's token picture, and turns it into what models take (token sequences, Token-Dynamics
pairs, embeddings). Pure Python on ``python3-avro`` and ``numpy``; ``python3-confluent-kafka``
for the ``tail`` command."""

from .canonical import fingerprint, parsing_canonical_form
from .llm import LlmRecord, LlmVocabulary, LlmWindower, WindowSummary
from .mirror import Camera, Mirror, MirrorSyncError, Problem, TokenDynamics
from .wire import (
    FrameStats,
    SlotUpsert,
    TokenDelta,
    TokenDeltaCodec,
    WireCodec,
    WireFormatError,
)

__version__ = "0.1.0"

__all__ = [
    "Camera",
    "FrameStats",
    "LlmRecord",
    "LlmVocabulary",
    "LlmWindower",
    "Mirror",
    "MirrorSyncError",
    "Problem",
    "SlotUpsert",
    "TokenDelta",
    "TokenDeltaCodec",
    "TokenDynamics",
    "WindowSummary",
    "WireCodec",
    "WireFormatError",
    "fingerprint",
    "parsing_canonical_form",
]
