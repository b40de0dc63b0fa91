"""NWB-shaped fixtures written with h5py (the layout pynwb writes: /units as a DynamicTable
with ragged spike_times, /intervals/trials, /general/subject), and an independent check of
the binned counts.

  nwb_fixture.py make DIR [--corrupt KIND]
  nwb_fixture.py verify DIR CORPUS
"""
import os
import sys
import zlib

import h5py
import numpy as np

BIN = 0.020
CORRUPTIONS = ("bad_index", "no_units", "empty_interval", "bad_date", "inf_spike_time", "huge_spike_time", "huge_interval")


def write(path, subject, date, n_units, trials, electrodes=None, windowed=False, corrupt=None):
    rng = np.random.default_rng(zlib.crc32(f"{subject}/{date}".encode()))  # fixed per file
    spikes = [np.sort(rng.uniform(0.0, 6.0, size=int(rng.integers(20, 200)))) for _ in range(n_units)]
    with h5py.File(path, "w") as f:
        f.create_dataset("session_start_time", data=f"{date}T10:00:00-05:00")
        f.create_dataset("general/subject/subject_id", data=subject)
        f.create_dataset("general/subject/species", data="Macaca mulatta")
        if corrupt == "no_units":
            return spikes
        times = np.concatenate(spikes)
        # Spike times no recording has: without a trials table they would be windowed without bound.
        if corrupt in ("inf_spike_time", "huge_spike_time"):
            windowed = True
            times[3] = np.inf if corrupt == "inf_spike_time" else 1e300
        f.create_dataset("units/spike_times", data=times)
        ends = np.cumsum([len(s) for s in spikes])
        if corrupt == "bad_index":
            ends[1] = ends[-1] + 5
        f.create_dataset("units/spike_times_index", data=ends.astype(np.uint64))
        if electrodes is not None:
            f.create_dataset("units/electrodes", data=np.array(electrodes, np.int64))
        if not windowed:
            starts = np.array([t[0] for t in trials])
            stops = np.array([t[1] for t in trials])
            if corrupt == "empty_interval":
                stops[1] = starts[1]
            if corrupt == "huge_interval":
                stops[1] = 1e300
            f.create_dataset("intervals/trials/start_time", data=starts)
            f.create_dataset("intervals/trials/stop_time", data=stops)
        if corrupt == "bad_date":
            del f["session_start_time"]
            f.create_dataset("session_start_time", data="last tuesday")
    return spikes


def make(root, corrupt=None):
    os.makedirs(root, exist_ok=True)
    trials = [(0.1, 0.9), (1.0, 2.05), (2.5, 3.0), (3.2, 4.4), (4.5, 5.9)]
    write(os.path.join(root, "jenkins_a.nwb"), "Jenkins", "2017-05-04", 6, trials)
    write(os.path.join(root, "jenkins_b.nwb"), "Jenkins", "2017-05-11", 6, trials[:3])
    # Units on 4 electrodes: counts are pooled per electrode.
    write(os.path.join(root, "indy_a.nwb"), "Indy", "2016-09-01", 7, trials, electrodes=[3, 3, 9, 1, 9, 12, 1],
          corrupt=corrupt)
    write(os.path.join(root, "indy_b.nwb"), "Indy", "2016-09-02", 7, None, electrodes=[3, 3, 9, 1, 9, 12, 1],
          windowed=True)


def expected(path, window):
    with h5py.File(path, "r") as f:
        times = f["units/spike_times"][:]
        ends = f["units/spike_times_index"][:].astype(np.int64)
        units = [np.sort(times[(ends[u - 1] if u else 0): ends[u]]) for u in range(len(ends))]
        if "units/electrodes" in f:
            el = f["units/electrodes"][:]
            order = {e: i for i, e in enumerate(sorted(set(el)))}
            channel = [order[e] for e in el]
        else:
            channel = list(range(len(units)))
        if "intervals/trials" in f:
            intervals = list(zip(f["intervals/trials/start_time"][:], f["intervals/trials/stop_time"][:]))
        else:
            lo, hi = times.min(), times.max()
            intervals, t = [], lo
            while t + BIN <= hi:
                intervals.append((t, min(hi, t + window)))
                t += window
    out = []
    for start, stop in intervals:
        bins = int(np.floor((stop - start) / BIN + 1e-9))
        x = np.zeros((bins, max(channel) + 1), np.float32)
        end = start + bins * BIN
        for u, spikes in enumerate(units):
            for s in spikes[(spikes >= start) & (spikes < end)]:
                x[min(int((s - start) / BIN), bins - 1), channel[u]] += 1
        out.append(x)
    return out


def verify(root, corpus, window):
    files = sorted(os.path.join(root, n) for n in os.listdir(root))
    with h5py.File(corpus, "r") as f:
        assert f.attrs["source"] == b"nwb"
        names = [n.decode() for n in f["subjects/name"][:]]
        assert names == ["Indy", "Jenkins"], names
        assert list(f["subjects/n_channels"][:]) == [4, 6]
        assert [d.decode() for d in f["sessions/date"][:]] == ["2016-09-01", "2016-09-02", "2017-05-04", "2017-05-11"]
        assert list(f["sessions/day"][:]) == [0, 1, 0, 7]
        tr = f["trials"]
        i = 0
        for path in files:
            subject = 0 if "indy" in path else 1
            for x in expected(path, window):
                got = f["features/" + names[subject]][tr["row"][i]: tr["row"][i] + tr["n_bins"][i]]
                assert got.shape == x.shape, (path, i, got.shape, x.shape)
                assert np.array_equal(got, x), f"{path} trial {i}: counts differ"
                i += 1
        assert i == len(tr["session"]), (i, len(tr["session"]))
        assert set(tr["split"][:]) <= {0, 1, 2}
    print(f"PASS: {i} NWB trials binned exactly")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--corrupt" else None)
    elif sys.argv[1] == "verify":
        verify(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    elif sys.argv[1] == "corruptions":
        print(" ".join(CORRUPTIONS))
