// TensorBoard event files: CRC-32C against the standard check values, the TFRecord frame and
// Event encodings against bytes serialized by TensorBoard's own protobuf classes
// (tensorboard.compat.proto.event_pb2, masked_crc32c), the tag mapping, and a written file
// whose every frame verifies. (That TensorBoard reads whole runs back is the
// tensorboard_reads_training_events test.)
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "io/hash/crc32c.h"
#include "io/run/tensorboard_writer.h"

namespace neuroscale::io {
namespace {

std::string hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string text;
  for (const unsigned char c : bytes) text += {kDigits[c >> 4], kDigits[c & 15]};
  return text;
}

std::uint64_t little_endian(const std::string& bytes, std::size_t at, int size) {
  std::uint64_t value = 0;
  for (int i = size - 1; i >= 0; --i)
    value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

TEST(Crc32c, MatchesTheStandardCheckValues) {
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);  // the CRC catalogue's check value
  EXPECT_EQ(crc32c("", 0), 0u);
  // RFC 3720 (iSCSI) B.4: 32 bytes of zeros, of ones, and 0..31.
  const std::string zeros(32, '\0'), ones(32, '\xff');
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending += static_cast<char>(i);
  EXPECT_EQ(crc32c(zeros.data(), 32), 0x8A9136AAu);
  EXPECT_EQ(crc32c(ones.data(), 32), 0x62A8AB43u);
  EXPECT_EQ(crc32c(ascending.data(), 32), 0x46DD794Eu);
  // Continuing a CRC equals one pass.
  EXPECT_EQ(crc32c("56789", 5, crc32c("1234", 4)), 0xE3069283u);
}

TEST(Crc32c, MaskedAsTfRecordStoresIt) {
  EXPECT_EQ(masked_crc32c("", 0), 0xa282ead8u);
  const std::string eight(8, '\0');
  EXPECT_EQ(masked_crc32c(eight.data(), 8), 0x07980329u);  // TensorBoard's masked_crc32c
}

TEST(TensorBoardEvents, FrameAndEventsMatchTensorBoardsOwnEncoding) {
  EXPECT_EQ(hex(tfrecord_frame("abc")), "0300000000000000b099490e6162636e57f121");
  EXPECT_EQ(hex(event_scalars(1.5, 7, {{"train/loss", 0.25f}})),
            "09000000000000f83f10072a130a110a0a747261696e2f6c6f7373150000803e");
  EXPECT_EQ(hex(event_session_start(1.5, 3)), "09000000000000f83f10033a020801");
  // A zero scalar is still written (TensorBoard drops a Value without its simple_value).
  EXPECT_EQ(hex(event_scalars(1.5, 7, {{"optim/skipped_steps", 0.0f}})),
            "09000000000000f83f10072a1c0a1a0a136f7074696d2f736b69707065645f737465707315"
            "00000000");
  // proto3 leaves out a zero step (the bytes of tensorboard's event_pb2 for the same Event).
  EXPECT_EQ(hex(event_file_version(1.5)), "09000000000000f83f1a0d627261696e2e4576656e743a32");
}

TEST(TensorBoardEvents, TagsGroupMetrics) {
  EXPECT_EQ(tensorboard_tag("loss"), "train/loss");
  EXPECT_EQ(tensorboard_tag("loss_UTS01"), "train/loss_UTS01");
  EXPECT_EQ(tensorboard_tag("per"), "train/per");
  EXPECT_EQ(tensorboard_tag("val_loss"), "val/loss");
  EXPECT_EQ(tensorboard_tag("val_per"), "val/per");
  EXPECT_EQ(tensorboard_tag("lr"), "optim/lr");
  EXPECT_EQ(tensorboard_tag("grad_norm"), "optim/grad_norm");
  EXPECT_EQ(tensorboard_tag("skipped_steps"), "optim/skipped_steps");
  EXPECT_EQ(tensorboard_tag("samples_per_s"), "throughput/samples_per_s");
  EXPECT_EQ(tensorboard_tag("flops_per_s"), "throughput/flops_per_s");
  EXPECT_EQ(tensorboard_tag("data_wait_s"), "time/data_wait_s");
  EXPECT_EQ(tensorboard_tag("comm_exposed_s"), "time/comm_exposed_s");
  EXPECT_EQ(tensorboard_tag("checkpoint_s"), "time/checkpoint_s");
  EXPECT_EQ(tensorboard_tag("step_s"), "time/step_s");
}

TEST(TensorBoardEvents, WriterFramesEveryRecordAndNeverReusesAFile) {
  const std::string dir = testing::TempDir() + "neuroscale_tb_" + std::to_string(::getpid());
  std::string first_path;
  {
    TensorBoardWriter writer(dir, 11);
    first_path = writer.path();
    EXPECT_NE(first_path.find(dir + "/events.out.tfevents."), std::string::npos) << first_path;
    writer.write_scalars(15, {{"loss", 2.0}, {"lr", 1e-3}});
    writer.write_scalars(20, {{"loss", 1.5}, {"lr", 5e-4}});
    // Written through: readable before the writer closes.
    std::ifstream in(first_path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string file = bytes.str();
    std::size_t at = 0;
    int records = 0;
    while (at < file.size()) {
      ASSERT_LE(at + 12, file.size());
      const auto length = little_endian(file, at, 8);
      EXPECT_EQ(little_endian(file, at + 8, 4), masked_crc32c(file.data() + at, 8));
      ASSERT_LE(at + 12 + length + 4, file.size());
      EXPECT_EQ(little_endian(file, at + 12 + length, 4),
                masked_crc32c(file.data() + at + 12, length));
      at += 12 + length + 4;
      ++records;
    }
    EXPECT_EQ(records, 4) << "file_version, SessionLog START, two summaries";
    EXPECT_NE(file.find("brain.Event:2"), std::string::npos);
    EXPECT_NE(file.find("train/loss"), std::string::npos);
    EXPECT_NE(file.find("optim/lr"), std::string::npos);
  }
  TensorBoardWriter second(dir, 21);
  EXPECT_NE(second.path(), first_path)
      << "a second writer of the same process and second starts a new file";
}

TEST(TensorBoardEvents, UncreatableDirectoryIsAnErrorNamingIt) {
  const std::string file = testing::TempDir() + "neuroscale_tb_file_" + std::to_string(::getpid());
  std::ofstream(file) << "x";
  try {
    TensorBoardWriter writer(file + "/tensorboard", 1);
    ADD_FAILURE() << "a directory under a regular file was created";
  } catch (const std::exception& error) {
    EXPECT_NE(std::string(error.what()).find(file), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace neuroscale::io
