"""Audio sources behind one small interface: blocks of 16 kHz float32 audio per speaker.

- `FileSource`: a decoded recording, as fast as the consumer takes it;
- `PacedFileSource`: the same at real-time speed (a live call without a microphone);
- `MicSource`: the agent's microphone and optionally a second device for the customer (or both
  on one stereo device, left and right), recording from the moment `start()` is called and holding
  what it hears until the recognisers take it (a live call loses nothing while models load).
"""

from __future__ import annotations

import collections
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

import numpy as np

from assist.errors import DeviceError
from assist.speech.audio import RATE, CallAudio, rms
from assist.speech.devices import InputDevice, find_input, sounddevice_module


class AudioSource(Protocol):
    name: str
    speakers: tuple[str, ...]
    realtime: bool

    def blocks(self) -> Iterator[tuple[float, dict[str, np.ndarray]]]:
        """Yield (start time in s, {speaker: samples}) in time order; ends when the audio does."""
        ...

    def close(self) -> None: ...


class FileSource:
    realtime = False

    def __init__(self, audio: CallAudio, block_s: float = 0.5) -> None:
        self.audio = audio
        self.name = audio.source
        self.speakers = tuple(audio.tracks)
        self.block = max(160, int(block_s * RATE))
        self.duration = audio.duration
        self._closed = False

    def blocks(self) -> Iterator[tuple[float, dict[str, np.ndarray]]]:
        n = max(len(a) for a in self.audio.tracks.values())
        for i in range(0, n, self.block):
            if self._closed:
                return
            yield i / RATE, {sp: a[i:i + self.block] for sp, a in self.audio.tracks.items()}

    def close(self) -> None:
        self._closed = True


class PacedFileSource(FileSource):
    """Hands each block over when it would have finished playing, as a sound card does. After a
    stall (a pause in the pipeline) it carries on from now instead of rushing to catch up."""

    realtime = True

    def __init__(self, audio: CallAudio, block_s: float = 0.1, speed: float = 1.0) -> None:
        super().__init__(audio, block_s)
        self.speed = speed

    def blocks(self) -> Iterator[tuple[float, dict[str, np.ndarray]]]:
        dur = self.block / RATE / self.speed
        deadline = time.monotonic()
        for t0, chunk in super().blocks():
            deadline += dur
            now = time.monotonic()
            if now > deadline + 0.5:
                deadline = now
            elif deadline > now:
                time.sleep(deadline - now)
            yield t0, chunk


# How much of a live call is held while the recognisers are not taking it yet (models loading on a
# fresh install can take tens of seconds): 5 minutes per speaker, 16 kHz float32 = 19.2 MB each.
# Past that the oldest audio is dropped, and said.
BUFFER_S = 300.0
# A speaker whose device delivers nothing while another's does is padded with silence once it is
# this far behind, so one stalled device never holds up the other side of the call.
STALL_S = 1.0
LEVEL_EVERY = 2  # blocks per level report (0.2 s)

_DEAD: list[Any] = []  # streams of vanished devices, never stopped (see MicSource.close)

Notice = Callable[[str], None]
LevelsOut = Callable[[Mapping[str, float]], None]


def _active(stream: Any) -> bool:
    try:
        return bool(stream.active)
    except Exception:
        return False


class _Resampler:
    """Streaming resampling of one channel to 16 kHz (PyAV's swresample keeps the filter state
    between blocks, so there are no clicks at block edges)."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._r: Any = None
        if rate != RATE:
            import av

            self._r = av.AudioResampler(format="flt", layout="mono", rate=RATE)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self._r is None:
            return x
        import av

        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(x, dtype=np.float32).reshape(1, -1),
                                           format="flt", layout="mono")
        frame.sample_rate = self.rate
        outs = self._r.resample(frame)
        if not outs:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate([o.to_ndarray().reshape(-1) for o in outs]).astype(np.float32, copy=False)


class _Input:
    """One opened device: its stream at the device's own rate, and which speaker hears which of its
    channels (None: all channels mixed down — a mono or stereo headset for one speaker)."""

    def __init__(self, dev: InputDevice, route: dict[str, int | None], rate: int | None) -> None:
        self.dev = dev
        self.route = route
        self.rate = int(rate or dev.default_rate or RATE)
        # a stereo headset is opened as stereo and mixed down (some deliver the microphone on one side)
        self.channels = 2 if dev.channels >= 2 else 1
        if len(route) > 1 and dev.channels < 2:
            raise DeviceError(f"{dev.name!r} has one channel: agent and customer on one device needs a stereo "
                              "device (left: agent, right: customer)")
        self.resample = {sp: _Resampler(self.rate) for sp in route}
        self.stream: Any = None
        self.lost = False

    def convert(self, data: bytes) -> dict[str, np.ndarray]:
        """Raw int16 frames from the callback -> 16 kHz float32 per speaker."""
        x = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
        x = x.reshape(-1, self.channels)
        out = {}
        for sp, ch in self.route.items():
            mono = x[:, ch] if ch is not None else x.mean(axis=1)
            out[sp] = self.resample[sp](mono)
        return out

    @property
    def label(self) -> str:
        return f"{' and '.join(self.route)} device {self.dev.name!r}"


class MicSource:
    """Live audio from one or two input devices, in 0.1 s blocks of 16 kHz float32 per speaker.

    `start()` starts recording (the session calls it when the devices open, before any model loads).
    PortAudio's callback only puts the raw bytes on a bounded queue; a capture thread converts them
    (downmix or left/right split, resampling from the device's rate), pairs the speakers into blocks
    and keeps them (up to BUFFER_S) until `blocks()` hands them to the pipeline — so a call that
    starts while the recognisers load is caught up, not lost. The capture thread also reports each
    channel's loudness as it arrives (`on_levels`) and a device that stops (unplugged) as a notice
    (`on_notice`); the call goes on with the other device.
    """

    realtime = True
    reports_levels = True  # the pipeline need not send Levels of its own (they would lag when behind)

    def __init__(self, agent_device: str | int | None = None, customer_device: str | int | None = None, *,
                 swap: bool = False, rate: int | None = None, block_s: float = 0.1,
                 buffer_s: float = BUFFER_S) -> None:
        sd = sounddevice_module()
        agent = find_input(agent_device)
        customer = find_input(customer_device) if customer_device not in (None, "") else None
        if customer is not None and customer.index == agent.index:
            left, right = ("customer", "agent") if swap else ("agent", "customer")
            self.inputs = [_Input(agent, {left: 0, right: 1}, rate)]
        else:
            self.inputs = [_Input(agent, {"agent": None}, rate)]
            if customer is not None:
                self.inputs.append(_Input(customer, {"customer": None}, rate))
        self.speakers = tuple(sp for sp in ("agent", "customer") if any(sp in i.route for i in self.inputs))
        self.name = " + ".join(f"{'/'.join(i.route)}: {i.dev.name}" for i in self.inputs)
        self.block = int(block_s * RATE)
        self.on_notice: Notice | None = None
        self.on_levels: LevelsOut | None = None
        self._early: list[str] = []  # notices from before anyone listened
        self._raw: queue.Queue[tuple[int, bytes]] = queue.Queue(maxsize=int(60 / block_s) * len(self.inputs))
        self._out: collections.deque[dict[str, np.ndarray]] = collections.deque()
        self._max_out = int(buffer_s / block_s)
        self._cond = threading.Condition()
        self._pending = {sp: np.zeros(0, dtype=np.float32) for sp in self.speakers}
        self._closed = threading.Event()
        self._close_lock = threading.Lock()
        self._ended = False
        self._thread: threading.Thread | None = None
        self._peak: dict[str, float] = {}
        self._nblocks = 0
        self.overflows = 0  # callbacks whose audio the full raw queue could not take
        self.dropped_s = 0.0  # audio dropped because nobody took it for BUFFER_S
        try:
            for n, inp in enumerate(self.inputs):
                inp.stream = sd.RawInputStream(device=inp.dev.index, channels=inp.channels, samplerate=inp.rate,
                                               dtype="int16", blocksize=int(inp.rate * block_s),
                                               callback=self._callback(n))
        except DeviceError:
            self.close()
            raise
        except Exception as e:
            self.close()
            raise DeviceError(f"cannot open input device ({e}): check `assist devices`, or use --source FILE") from None

    # ------------------------------------------------------------------ PortAudio's thread
    def _callback(self, n: int) -> Callable[..., None]:
        raw = self._raw

        def cb(indata: Any, frames: int, time_info: Any, status: Any) -> None:
            # nothing here but handing the bytes over: this runs on PortAudio's real-time thread
            try:
                raw.put_nowait((n, bytes(indata)))
            except queue.Full:
                self.overflows += 1

        return cb

    # ------------------------------------------------------------------ control
    def attach(self, *, notice: Notice | None = None, levels: LevelsOut | None = None) -> None:
        """Whom to tell about devices and loudness (notices from before this are passed on now)."""
        self.on_notice, self.on_levels = notice, levels
        early, self._early = self._early, []
        for text in early:
            self._notice(text)

    def start(self) -> None:
        """Start recording now (idempotent)."""
        if self._thread is not None or self._closed.is_set():
            return
        for inp in self.inputs:
            inp.stream.start()
        self._thread = threading.Thread(target=self._capture, name="assist-capture", daemon=True)
        self._thread.start()

    @property
    def buffered_s(self) -> float:
        """Audio recorded and not yet taken by `blocks()`."""
        return len(self._out) * self.block / RATE

    def blocks(self) -> Iterator[tuple[float, dict[str, np.ndarray]]]:
        self.start()
        t = 0.0
        while True:
            with self._cond:
                while not self._out and not self._closed.is_set() and not self._ended:
                    self._cond.wait(0.5)
                if not self._out:
                    return
                block = self._out.popleft()
            yield t, block
            t += self.block / RATE

    def close(self) -> None:
        """Stop recording (from any thread, any number of times)."""
        self._closed.set()
        with self._cond:
            self._cond.notify_all()
        with self._close_lock:
            for inp in self.inputs:
                stream, inp.stream = inp.stream, None
                if stream is None:
                    continue
                if inp.lost or (self._thread is not None and not _active(stream)):
                    # PortAudio's ALSA stream whose device vanished: stopping it can trip an assertion
                    # in PortAudio (seen on the rig) and abort the process; it is left to PortAudio's
                    # own clean-up at exit
                    _DEAD.append(stream)
                    continue
                try:
                    stream.stop()
                    stream.close()
                except Exception:
                    pass  # a stream that never started
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)

    # ------------------------------------------------------------------ the capture thread
    def _notice(self, text: str) -> None:
        if self.on_notice is None:
            self._early.append(text)
        else:
            self.on_notice(text)

    def _capture(self) -> None:
        while not self._closed.is_set() and not self._ended:
            try:
                n, data = self._raw.get(timeout=0.2)
            except queue.Empty:
                self._check_inputs()
                continue
            for sp, x in self.inputs[n].convert(data).items():
                self._pending[sp] = np.concatenate([self._pending[sp], x])
            self._emit_ready()
            self._check_inputs()

    def _live_speakers(self) -> list[str]:
        return [sp for inp in self.inputs if not inp.lost for sp in inp.route]

    def _emit_ready(self) -> None:
        live = self._live_speakers()
        while live:
            have = {sp: len(self._pending[sp]) for sp in live}
            if min(have.values()) < self.block:
                lead = max(have.values())
                if lead < self.block + STALL_S * RATE:
                    return
                for sp in live:  # a stalled device: silence for it, so the other side goes on
                    if have[sp] < self.block:
                        self._pending[sp] = np.concatenate([self._pending[sp],
                                                            np.zeros(self.block - have[sp], dtype=np.float32)])
            block = {}
            for sp in self.speakers:
                if sp in live:
                    block[sp], self._pending[sp] = self._pending[sp][:self.block], self._pending[sp][self.block:]
                else:
                    block[sp] = np.zeros(self.block, dtype=np.float32)
            self._keep(block)

    def _keep(self, block: dict[str, np.ndarray]) -> None:
        with self._cond:
            if len(self._out) >= self._max_out:
                self._out.popleft()
                if self.dropped_s == 0.0:
                    self._notice(f"audio older than {self._max_out * self.block / RATE / 60:.0f} min is being "
                                 "dropped: the speech recogniser has not started")
                self.dropped_s += self.block / RATE
            self._out.append(block)
            self._cond.notify_all()
        for sp, x in block.items():
            self._peak[sp] = max(self._peak.get(sp, 0.0), rms(x))
        self._nblocks += 1
        if self.on_levels is not None and self._nblocks % LEVEL_EVERY == 0:
            # the loudest block of the last LEVEL_EVERY: a meter at 5 Hz is plenty for the eye, and
            # every redraw costs the UI thread CPU the recogniser wants on a busy machine
            self.on_levels({sp: round(min(1.0, v), 4) for sp, v in self._peak.items()})
            self._peak = {}

    def _check_inputs(self) -> None:
        """A stream that stopped by itself lost its device (unplugged, the sound server gone)."""
        for inp in self.inputs:
            if inp.lost or inp.stream is None or self._closed.is_set():
                continue
            if _active(inp.stream):
                continue
            inp.lost = True
            self._pending.update({sp: np.zeros(0, dtype=np.float32) for sp in inp.route})
            rest = self._live_speakers()
            if rest:
                self._notice(f"the {inp.label} stopped (unplugged?) — the call goes on with the "
                             f"{' and '.join(rest)} channel; press q to end and save")
            else:
                self._notice(f"the {inp.label} stopped (unplugged?) — no audio is coming in; press q to save the call")
                self._ended = True
                with self._cond:
                    self._cond.notify_all()
