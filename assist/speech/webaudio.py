"""A recording re-encoded small enough to travel inside an HTML page: Opus in WebM.

Chromium, Firefox and Safari (15+) all play `audio/webm; codecs=opus`; Ogg Opus is not played by
older Safari, so WebM is the container. Opus at 16 kbit/s per channel keeps speech clear (it is
the codec of WebRTC calls); with its variable rate the stereo demo call (67 s) comes to 208 KB
(~25 kbit/s), so a page grows by ~250 KB per call minute once base64-encoded (a 10-minute call:
~2.5 MB). The channels of the recording are kept (agent left, customer right), which lets
a listener pan to one side.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from assist.speech.audio import RATE, decode

MIME = "audio/webm;codecs=opus"
BITRATE_PER_CHANNEL = 16000
# libopus takes 8/12/16/24/48 kHz input; our decoded audio is 16 kHz, so no resampling is needed.
_FRAME = 960  # 60 ms at 16 kHz: the largest Opus frame, the least container overhead


def encode_opus_webm(samples: np.ndarray, rate: int = RATE, *, bitrate_per_channel: int = BITRATE_PER_CHANNEL) -> bytes:
    """(channels, n) or (n,) float32 samples at `rate` -> Opus-in-WebM bytes (1 or 2 channels)."""
    import av

    x = np.atleast_2d(np.asarray(samples, dtype=np.float32))
    if x.shape[0] > x.shape[1]:  # (n, channels) given
        x = x.T
    x = np.clip(x[:2], -1.0, 1.0)
    channels = x.shape[0]
    layout = "stereo" if channels == 2 else "mono"
    buf = io.BytesIO()
    with av.open(buf, mode="w", format="webm") as out:
        stream = out.add_stream("libopus", rate=rate)
        assert isinstance(stream, av.audio.stream.AudioStream)
        stream.layout = layout
        stream.bit_rate = bitrate_per_channel * channels
        stream.options = {"application": "voip"}
        pcm = (x * 32767).astype(np.int16)
        for i in range(0, pcm.shape[1], _FRAME):
            chunk = pcm[:, i:i + _FRAME]
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk.T.reshape(1, -1)), format="s16",
                                               layout=layout)
            frame.sample_rate = rate
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def web_audio(path: str | Path) -> tuple[bytes, str]:
    """Any recording assist reads -> (Opus-in-WebM bytes, MIME type). Errors: InputError, one line."""
    return encode_opus_webm(decode(path), RATE), MIME
