// safetensors: round trip of every dtype and metadata; damaged files name what is wrong.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <unistd.h>
#include <cstdio>
#include <fstream>

#include "core/error.h"
#include "io/tensors/safetensors.h"

namespace ns = neuroscale;

namespace {
std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "/" + name + "." + std::to_string(::getpid()) + ".safetensors";
}
}  // namespace

TEST(Safetensors, RoundTripsTensorsAndMetadata) {
  const auto path = temp_path("round");
  ns::io::NamedTensors tensors = {{"b.weight", torch::randn({3, 4})},
                                  {"a", torch::arange(5, torch::kLong)},
                                  {"half", torch::randn({2}).to(torch::kHalf)},
                                  {"flag", torch::tensor({true, false})},
                                  {"scalar", torch::scalar_tensor(2.5, torch::kDouble)},
                                  {"strided", torch::randn({4, 3}).t()}};
  ns::io::write_safetensors(path, tensors, {{"format", "pt"}, {"note", "quote \" here"}});
  const auto file = ns::io::read_safetensors(path);
  ASSERT_EQ(file.tensors.size(), tensors.size());
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    EXPECT_EQ(file.tensors[i].first, tensors[i].first);
    EXPECT_TRUE(torch::equal(file.tensors[i].second, tensors[i].second)) << tensors[i].first;
  }
  EXPECT_EQ(file.metadata.at("note"), "quote \" here");
  std::remove(path.c_str());
}

TEST(Safetensors, DamagedFilesAreRejectedWithTheReason) {
  const auto path = temp_path("damaged");
  ns::io::write_safetensors(path, {{"w", torch::randn({64})}});
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() - 10));  // truncated
  }
  try {
    ns::io::read_safetensors(path);
    FAIL() << "a truncated file was accepted";
  } catch (const ns::DataError& error) {
    EXPECT_NE(std::string(error.what()).find("tensor 'w'"), std::string::npos) << error.what();
  }
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "garbage";
  }
  EXPECT_THROW(ns::io::read_safetensors(path), ns::DataError);
  EXPECT_THROW(ns::io::read_safetensors(path + ".missing"), ns::DataError);
  EXPECT_THROW(
      ns::io::write_safetensors(path, {{"x", torch::zeros({1})}, {"x", torch::zeros({1})}}),
      ns::UsageError);
  std::remove(path.c_str());
}

namespace {
// A safetensors file whose header is `header` (padded to 8 bytes) followed by `data_bytes` zeros.
std::string crafted(const std::string& name, std::string header, std::size_t data_bytes) {
  const auto path = temp_path(name);
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  bytes += header + std::string(data_bytes, '\0');
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string data_error_of(const std::string& path) {
  try {
    ns::io::read_safetensors(path);
  } catch (const ns::DataError& error) {
    return error.what();
  } catch (const std::exception& error) {
    return std::string("not a DataError: ") + error.what();
  }
  return "accepted";
}
}  // namespace

// Headers a fuzzer or a hostile file can hand us: every one is a DataError naming the file,
// never a wrapped-around size that reaches an allocation, never another exception type.
TEST(Safetensors, CraftedHeadersAreDataErrors) {
  // 2^62 x 4 floats: the byte count wraps to 0, which matches data_offsets [0, 0].
  auto path =
      crafted("overflow",
              R"({"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}})", 0);
  auto message = data_error_of(path);
  EXPECT_NE(message.find(
                "tensor 'w' has shape [4611686018427387904]... whose bytes exceed the file's data"),
            std::string::npos)
      << message;
  std::remove(path.c_str());
  path = crafted("key", R"({[1,2]:{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 4);
  message = data_error_of(path);
  EXPECT_NE(message.find("the header is not valid JSON"), std::string::npos)
      << message;  // keys are strings
  std::remove(path.c_str());
  path = crafted(
      "metadata",
      R"({"__metadata__":{"a":[1]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 4);
  message = data_error_of(path);
  EXPECT_EQ(message.rfind("'" + path + "'", 0), 0u) << message;
  std::remove(path.c_str());
  path = crafted("fraction", R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", 4);
  message = data_error_of(path);
  EXPECT_NE(message.find("tensor 'w' has a non-integer extent"), std::string::npos) << message;
  std::remove(path.c_str());
  path = crafted("offset", R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})", 4);
  message = data_error_of(path);
  EXPECT_NE(message.find("tensor 'w' has a data offset that is not a non-negative integer"),
            std::string::npos)
      << message;
  std::remove(path.c_str());
}
