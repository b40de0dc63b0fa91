"""An independent NumPy/SciPy MFCC (with deltas) as core/speech/mfcc.h defines it: the
reference of the speech-units cross-check and of `neuroscale speech labels`' test."""
import numpy as np
import scipy.fft
import scipy.signal


def filterbank(sr, n_fft, bands, low, high):
    # HTK mel scale; triangles between mel-spaced edges, evaluated at each bin's frequency.
    mel = lambda f: 2595 * np.log10(1 + f / 700)
    hz = lambda m: 700 * (10 ** (m / 2595) - 1)
    edges = hz(np.linspace(mel(low), mel(high), bands + 2))
    freqs = np.arange(n_fft // 2 + 1) * sr / n_fft
    bank = np.zeros((bands, len(freqs)))
    for b in range(bands):
        l, c, r = edges[b], edges[b + 1], edges[b + 2]
        rise = (freqs - l) / (c - l)
        fall = (r - freqs) / (r - c)
        bank[b] = np.where((freqs > l) & (freqs < r), np.where(freqs <= c, rise, fall), 0)
    return bank


def deltas(c, n):
    padded = np.concatenate([np.repeat(c[:1], n, 0), c, np.repeat(c[-1:], n, 0)])
    t = len(c)
    num = sum(k * (padded[n + k:n + k + t] - padded[n - k:n - k + t]) for k in range(1, n + 1))
    return num / (2 * sum(k * k for k in range(1, n + 1)))


def mfcc(x, sr=16000, window=400, hop=320, fft=512, mel_bands=40, low_hz=20, high_hz=7600,
         coefficients=13, preemphasis=0.97, lifter=22, delta_window=2, delta_order=2):
    frames = np.stack([x[s:s + window] for s in range(0, len(x) - window + 1, hop)])
    frames = frames - frames.mean(1, keepdims=True)
    if preemphasis:
        frames = np.concatenate([frames[:, :1] * (1 - preemphasis),
                                 frames[:, 1:] - preemphasis * frames[:, :-1]], 1)
    frames = frames * scipy.signal.get_window("hamming", window, fftbins=False)
    power = np.abs(np.fft.rfft(frames, fft, axis=1)) ** 2
    energies = np.log(np.maximum(power @ filterbank(sr, fft, mel_bands, low_hz, high_hz).T, 1e-10))
    c = scipy.fft.dct(energies, type=2, norm="ortho", axis=1)[:, :coefficients]
    if lifter:
        c = c * (1 + lifter / 2 * np.sin(np.pi * np.arange(coefficients) / lifter))
    parts = [c]
    for _ in range(delta_order):
        parts.append(deltas(parts[-1], delta_window))
    return np.concatenate(parts, 1)
