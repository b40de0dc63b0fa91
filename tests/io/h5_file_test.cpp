#include <gtest/gtest.h>

#include <cstdio>

#include "core/check.h"
#include "io/hdf5/h5_file.h"

namespace neuroscale::io {
namespace {

TEST(H5File, ArraysStringsAndAttributesRoundTrip) {
  const std::string path = testing::TempDir() + "neuroscale_h5.h5";
  {
    H5Id file = create_file(path, MPI_COMM_NULL);
    write_array<std::int64_t>(file.get(), "ints", {1, -2, 3});
    write_strings(file.get(), "names", {"t15", "", "monkey-long-name"});
    write_attribute(file.get(), "version", std::int64_t{3});
    write_attribute(file.get(), "rate", 0.25);
    write_attribute(file.get(), "label", std::string("hello"));
  }
  H5Id file = open_file(path, MPI_COMM_NULL);
  EXPECT_EQ(read_array<std::int64_t>(file.get(), "ints"), (std::vector<std::int64_t>{1, -2, 3}));
  EXPECT_EQ(read_strings(file.get(), "names"),
            (std::vector<std::string>{"t15", "", "monkey-long-name"}));
  EXPECT_EQ(read_int_attribute(file.get(), "version"), 3);
  EXPECT_DOUBLE_EQ(read_double_attribute(file.get(), "rate"), 0.25);
  EXPECT_EQ(read_string_attribute(file.get(), "label"), "hello");
  EXPECT_THROW(read_int_attribute(file.get(), "label"), DataError);
  EXPECT_THROW(read_array<float>(file.get(), "missing"), DataError);
}

TEST(H5File, ErrorsCarryHdf5MessageRankAndHost) {
  try {
    create_file("/nonexistent-dir/x.h5", MPI_COMM_NULL);
    FAIL();
  } catch (const DataError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("cannot create HDF5 file '/nonexistent-dir/x.h5'"), std::string::npos)
        << message;
    EXPECT_NE(message.find("H5F"), std::string::npos) << message;  // HDF5's own stack
    EXPECT_NE(message.find("rank 0/"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace neuroscale::io
