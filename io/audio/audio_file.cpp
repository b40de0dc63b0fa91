#include "io/audio/audio_file.h"

#include <sndfile.h>
#include <soxr.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "core/check.h"

namespace neuroscale::io {
namespace {

struct SndfileCloser {
  void operator()(SNDFILE* file) const { sf_close(file); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

}  // namespace

Audio read_audio(const std::string& path) {
  SF_INFO info{};
  SndfilePtr file(sf_open(path.c_str(), SFM_READ, &info));
  NS_CHECK_AS(DataError, file != nullptr, "cannot read audio file '", path,
              "': ", sf_strerror(nullptr));
  NS_CHECK_AS(DataError, info.frames > 0 && info.channels > 0 && info.samplerate > 0,
              "audio file '", path, "' is empty (", info.frames, " frames, ", info.channels,
              " channels, ", info.samplerate, " Hz)");
  const auto frames = static_cast<std::size_t>(info.frames);
  const auto channels = static_cast<std::size_t>(info.channels);
  std::vector<float> interleaved(frames * channels);
  const sf_count_t read = sf_readf_float(file.get(), interleaved.data(), info.frames);
  NS_CHECK_AS(DataError, read == info.frames, "audio file '", path, "' is truncated: read ", read,
              " of ", info.frames, " frames (", sf_strerror(file.get()), ")");
  Audio audio;
  audio.sample_rate = info.samplerate;
  audio.samples.resize(frames);
  for (std::size_t i = 0; i < frames; ++i) {
    float sum = 0;
    for (std::size_t c = 0; c < channels; ++c) sum += interleaved[i * channels + c];
    audio.samples[i] = sum / static_cast<float>(channels);
  }
  return audio;
}

void write_wav(const std::string& path, const std::vector<float>& samples, int sample_rate) {
  SF_INFO info{};
  info.samplerate = sample_rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SndfilePtr file(sf_open(path.c_str(), SFM_WRITE, &info));
  NS_CHECK_AS(DataError, file != nullptr, "cannot create audio file '", path,
              "': ", sf_strerror(nullptr));
  // Float data written to integer PCM is scaled by 32767 when normalisation is on (default)
  // and clipped rather than wrapped with SFC_SET_CLIPPING.
  sf_command(file.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
  const auto n = static_cast<sf_count_t>(samples.size());
  NS_CHECK_AS(DataError, sf_writef_float(file.get(), samples.data(), n) == n,
              "cannot write audio file '", path, "': ", sf_strerror(file.get()));
}

std::vector<float> resample(const std::vector<float>& samples, double from_rate, double to_rate) {
  NS_CHECK_AS(DataError, from_rate > 0 && to_rate > 0, "cannot resample from ", from_rate,
              " Hz to ", to_rate, " Hz: rates must be positive");
  if (from_rate == to_rate || samples.empty()) return samples;
  const auto out_length = static_cast<std::size_t>(
      std::llround(static_cast<double>(samples.size()) * to_rate / from_rate));
  std::vector<float> out(out_length + 16, 0.0f);
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  std::size_t done = 0;
  // One-shot: the whole signal in, flushed at the end (the filter's delay is compensated).
  soxr_error_t error = soxr_oneshot(from_rate, to_rate, 1, samples.data(), samples.size(), nullptr,
                                    out.data(), out.size(), &done, &io, &quality, nullptr);
  NS_CHECK_AS(DataError, error == nullptr, "libsoxr failed to resample ", samples.size(),
              " samples from ", from_rate, " Hz to ", to_rate, " Hz: ", error);
  // soxr may deliver a sample more or less than the ideal length; the contract is exact.
  out.resize(std::min(done, out_length));
  out.resize(out_length, 0.0f);
  return out;
}

}  // namespace neuroscale::io
