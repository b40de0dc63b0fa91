// TensorBoard event files: the scalars of a training run as TensorBoard (and TensorFlow's
// summary readers) read them, without TensorFlow: the messages are protobuf (protoc-generated
// from io/run/tensorboard_event.proto, TensorBoard's field numbers), the framing TFRecord.
//
// File: "<dir>/events.out.tfevents.<unix time>.<host>.<pid>" (TensorBoard's naming), a
// sequence of TFRecords: uint64 LE payload length, uint32 masked CRC-32C of those 8 bytes,
// the payload, uint32 masked CRC-32C of the payload. Each payload is a serialized
// tensorflow.Event (tensorboard/compat/proto/event.proto; proto3, so a field at its default
// value, such as step 0, is not written):
//   Event   {double wall_time = 1; int64 step = 2; oneof what {string file_version = 3;
//            Summary summary = 5; SessionLog session_log = 7;}}
//   Summary {repeated Value value = 1;}   Value {string tag = 1; float simple_value = 2;}
//   SessionLog {SessionStatus status = 1;}  (START = 1)
// The first record is the file_version "brain.Event:2" event; the second a SessionLog START
// at the first step this file will log, so TensorBoard drops the values of earlier files
// from that step on: after a resume from a checkpoint at step S, the steps the dead run
// logged past S are superseded, exactly as metrics.jsonl is rewound.
//
// Every record is one write(2) of the whole frame, so a killed job keeps every record it
// logged. Not thread-safe: one writer per file, used from one thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace neuroscale::io {

// The tag of a metrics.jsonl key (docs/run-directory.md): val_<m> -> "val/<m>"; lr,
// grad_norm, skipped_steps -> "optim/<key>"; *_per_s -> "throughput/<key>"; data_wait_s,
// comm_exposed_s, checkpoint_s, step_s -> "time/<key>"; everything else (loss, loss_<participant>,
// per, masked_mse, counts) -> "train/<key>".
std::string tensorboard_tag(const std::string& metric);

// A TFRecord frame around `payload` (length, masked CRCs; see above).
std::string tfrecord_frame(const std::string& payload);

// Serialized Events (see above).
std::string event_file_version(double wall_time);
std::string event_session_start(double wall_time, std::int64_t step);
std::string event_scalars(double wall_time, std::int64_t step,
                          const std::vector<std::pair<std::string, float>>& values);

class TensorBoardWriter {
 public:
  // Creates `directory` if needed and a new events file in it (a name not yet taken), then
  // writes the file_version event and a SessionLog START at `first_step`. Throws DataError
  // naming the file when it cannot be created or written.
  TensorBoardWriter(const std::string& directory, std::int64_t first_step);
  ~TensorBoardWriter();
  TensorBoardWriter(const TensorBoardWriter&) = delete;
  TensorBoardWriter& operator=(const TensorBoardWriter&) = delete;

  const std::string& path() const { return path_; }

  // One Event at `step` (wall time now) holding every value under tensorboard_tag(key);
  // written to the file before returning. Throws DataError naming the file.
  void write_scalars(std::int64_t step, const std::map<std::string, double>& values);

 private:
  void write_record(const std::string& payload);

  std::string path_;
  int fd_ = -1;
};

}  // namespace neuroscale::io
