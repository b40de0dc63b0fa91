#include "io/hdf5/h5_file.h"

#include <cstring>

#include "core/check.h"

namespace neuroscale::io {
namespace {

H5Id file_access(MPI_Comm comm) {
  H5Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "create a file access property list");
  if (comm != MPI_COMM_NULL) {
    NS_H5_CHECK(H5Pset_fapl_mpio(fapl.get(), comm, MPI_INFO_NULL), "select the MPI-IO driver");
  }
  return fapl;
}

template <class T>
hid_t native_type() {
  if constexpr (std::is_same_v<T, std::int8_t>) return H5T_NATIVE_INT8;
  if constexpr (std::is_same_v<T, std::uint8_t>) return H5T_NATIVE_UINT8;
  if constexpr (std::is_same_v<T, std::int16_t>) return H5T_NATIVE_INT16;
  if constexpr (std::is_same_v<T, std::int32_t>) return H5T_NATIVE_INT32;
  if constexpr (std::is_same_v<T, std::int64_t>) return H5T_NATIVE_INT64;
  if constexpr (std::is_same_v<T, float>) return H5T_NATIVE_FLOAT;
  if constexpr (std::is_same_v<T, double>) return H5T_NATIVE_DOUBLE;
}

// Rows [first, first + n) of a dataset: the selected file space and a matching memory space.
struct RowSlab {
  H5Id file_space, memory_space;
};

RowSlab select_rows(hid_t dataset, hsize_t first, hsize_t n) {
  H5Id space(H5Dget_space(dataset), H5Sclose, "get a dataset's dataspace");
  int rank = H5Sget_simple_extent_ndims(space.get());
  NS_H5_CHECK(rank, "read a dataspace's rank");
  std::vector<hsize_t> dims(rank), start(rank, 0);
  NS_H5_CHECK(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "read dataset dims");
  NS_CHECK_AS(DataError, first + n <= dims[0], "rows [", first, ", ", first + n,
              ") are outside a dataset of ", dims[0], " rows");
  std::vector<hsize_t> count = dims;
  count[0] = n;
  start[0] = first;
  NS_H5_CHECK(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                                  nullptr),
              "select rows of a dataset");
  H5Id memory(H5Screate_simple(rank, count.data(), nullptr), H5Sclose, "create a memory dataspace");
  return {std::move(space), std::move(memory)};
}

std::string object_name(hid_t object) {
  char name[512] = {};
  H5Iget_name(object, name, sizeof(name));
  return name;
}

// "'<parent path>/<name>' in '<file>'", without a doubled '/' under the root.
std::string child_path(hid_t parent, const std::string& name) {
  const std::string path = object_name(parent);
  char file[4096] = {};
  H5Fget_name(parent, file, sizeof(file));
  return "'" + (path == "/" ? "" : path) + "/" + name + "' in '" + file + "'";
}

}  // namespace

H5Id create_file(const std::string& path, MPI_Comm comm) {
  silence_hdf5_errors();
  H5Id fapl = file_access(comm);
  return H5Id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose,
              "create HDF5 file '" + path + "'");
}

H5Id open_file(const std::string& path, MPI_Comm comm) {
  silence_hdf5_errors();
  NS_CHECK_AS(DataError, H5Fis_hdf5(path.c_str()) > 0, "'", path,
              "' does not exist or is not an HDF5 file");
  H5Id fapl = file_access(comm);
  return H5Id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose,
              "open HDF5 file '" + path + "'");
}

H5Id create_group(hid_t parent, const std::string& name) {
  return H5Id(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
              "create group '" + name + "'");
}

H5Id open_group(hid_t parent, const std::string& name) {
  NS_CHECK_AS(DataError, link_exists(parent, name), "missing group ", child_path(parent, name));
  return H5Id(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), H5Gclose, "open group '" + name + "'");
}

H5Id open_dataset(hid_t parent, const std::string& name) {
  NS_CHECK_AS(DataError, link_exists(parent, name), "missing dataset ", child_path(parent, name));
  return H5Id(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose, "open dataset '" + name + "'");
}

bool link_exists(hid_t parent, const std::string& name) {
  htri_t exists = H5Lexists(parent, name.c_str(), H5P_DEFAULT);
  NS_H5_CHECK(exists, "look up '" + name + "'");
  return exists > 0;
}

namespace {

herr_t collect_link(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}

}  // namespace

std::vector<std::string> list_links(hid_t group) {
  std::vector<std::string> names;
  NS_H5_CHECK(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_link, &names),
              "list the members of '" + object_name(group) + "'");
  return names;
}

H5Id make_float16_type() {
  H5Id type(H5Tcopy(H5T_IEEE_F32LE), H5Tclose, "copy a float type");
  // binary16: sign bit 15, exponent bits 10-14 (bias 15), mantissa bits 0-9.
  NS_H5_CHECK(H5Tset_fields(type.get(), 15, 10, 5, 0, 10), "define float16 fields");
  NS_H5_CHECK(H5Tset_size(type.get(), 2), "define float16 size");
  NS_H5_CHECK(H5Tset_ebias(type.get(), 15), "define float16 exponent bias");
  return type;
}

H5Id create_dataset(hid_t parent, const std::string& name, hid_t file_type,
                    const std::vector<hsize_t>& dims, const std::vector<hsize_t>& chunk) {
  H5Id space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
             "create a dataspace for '" + name + "'");
  H5Id dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create a dataset property list");
  if (!chunk.empty()) {
    NS_H5_CHECK(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()),
                "set the chunk shape of '" + name + "'");
  }
  // Parallel HDF5 requires early allocation; it is also what a reader of partial files needs.
  NS_H5_CHECK(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), "set allocation time");
  NS_H5_CHECK(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), "set fill time");
  return H5Id(H5Dcreate2(parent, name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(),
                         H5P_DEFAULT),
              H5Dclose, "create dataset '" + name + "'");
}

H5Id create_growing_dataset(hid_t parent, const std::string& name, hid_t file_type,
                            hsize_t chunk_rows) {
  NS_ASSERT(chunk_rows > 0, "create_growing_dataset: chunk_rows must be > 0");
  const hsize_t dims = 0, max_dims = H5S_UNLIMITED;
  H5Id space(H5Screate_simple(1, &dims, &max_dims), H5Sclose,
             "create a growing dataspace for '" + name + "'");
  H5Id dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create a dataset property list");
  NS_H5_CHECK(H5Pset_chunk(dcpl.get(), 1, &chunk_rows), "set the chunk shape of '" + name + "'");
  return H5Id(H5Dcreate2(parent, name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(),
                         H5P_DEFAULT),
              H5Dclose, "create dataset '" + name + "'");
}

void append_rows(hid_t dataset, hid_t memory_type, hsize_t n_rows, const void* data) {
  if (n_rows == 0) return;
  const auto dims = dataset_dims(dataset);
  NS_ASSERT(dims.size() == 1, "append_rows: '", object_name(dataset), "' is not 1-D");
  const hsize_t grown = dims[0] + n_rows;
  NS_H5_CHECK(H5Dset_extent(dataset, &grown), "grow '" + object_name(dataset) + "'");
  write_rows(dataset, memory_type, dims[0], n_rows, data);
}

std::vector<hsize_t> dataset_dims(hid_t dataset) {
  H5Id space(H5Dget_space(dataset), H5Sclose, "get a dataset's dataspace");
  int rank = H5Sget_simple_extent_ndims(space.get());
  NS_H5_CHECK(rank, "read a dataspace's rank");
  std::vector<hsize_t> dims(rank);
  NS_H5_CHECK(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "read dataset dims");
  return dims;
}

void write_rows(hid_t dataset, hid_t memory_type, hsize_t first_row, hsize_t n_rows,
                const void* data) {
  if (n_rows == 0) return;
  RowSlab slab = select_rows(dataset, first_row, n_rows);
  NS_H5_CHECK(H5Dwrite(dataset, memory_type, slab.memory_space.get(), slab.file_space.get(),
                       H5P_DEFAULT, data),
              "write rows to '" + object_name(dataset) + "'");
}

void read_rows(hid_t dataset, hid_t memory_type, hsize_t first_row, hsize_t n_rows, void* data) {
  if (n_rows == 0) return;
  RowSlab slab = select_rows(dataset, first_row, n_rows);
  NS_H5_CHECK(H5Dread(dataset, memory_type, slab.memory_space.get(), slab.file_space.get(),
                      H5P_DEFAULT, data),
              "read rows of '" + object_name(dataset) + "'");
}

template <class T>
void write_array(hid_t parent, const std::string& name, const std::vector<T>& values, bool writer) {
  H5Id dataset = create_dataset(parent, name, native_type<T>(), {values.size()});
  if (writer) write_rows(dataset.get(), native_type<T>(), 0, values.size(), values.data());
}

template <class T>
std::vector<T> read_array(hid_t parent, const std::string& name) {
  H5Id dataset = open_dataset(parent, name);
  auto dims = dataset_dims(dataset.get());
  NS_CHECK_AS(DataError, dims.size() == 1, "dataset '", object_name(dataset.get()),
              "' should be 1-D, has ", dims.size(), " dimensions");
  std::vector<T> values(dims[0]);
  read_rows(dataset.get(), native_type<T>(), 0, dims[0], values.data());
  return values;
}

#define NEUROSCALE_INSTANTIATE(T)                                                       \
  template void write_array<T>(hid_t, const std::string&, const std::vector<T>&, bool); \
  template std::vector<T> read_array<T>(hid_t, const std::string&);
NEUROSCALE_INSTANTIATE(std::int8_t)
NEUROSCALE_INSTANTIATE(std::uint8_t)
NEUROSCALE_INSTANTIATE(std::int16_t)
NEUROSCALE_INSTANTIATE(std::int32_t)
NEUROSCALE_INSTANTIATE(std::int64_t)
NEUROSCALE_INSTANTIATE(float)
NEUROSCALE_INSTANTIATE(double)
#undef NEUROSCALE_INSTANTIATE

namespace {

H5Id fixed_string_type(std::size_t length) {
  H5Id type(H5Tcopy(H5T_C_S1), H5Tclose, "copy the string type");
  NS_H5_CHECK(H5Tset_size(type.get(), length), "set a string length");
  NS_H5_CHECK(H5Tset_strpad(type.get(), H5T_STR_NULLPAD), "set string padding");
  return type;
}

}  // namespace

void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& values,
                   bool writer) {
  std::size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  H5Id type = fixed_string_type(width);
  H5Id dataset = create_dataset(parent, name, type.get(), {values.size()});
  if (!writer) return;
  std::vector<char> buffer(width * values.size(), '\0');
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::memcpy(buffer.data() + i * width, values[i].data(), values[i].size());
  }
  write_rows(dataset.get(), type.get(), 0, values.size(), buffer.data());
}

std::vector<std::string> read_strings(hid_t parent, const std::string& name) {
  H5Id dataset = open_dataset(parent, name);
  H5Id file_type(H5Dget_type(dataset.get()), H5Tclose, "get the type of '" + name + "'");
  NS_CHECK_AS(
      DataError,
      H5Tget_class(file_type.get()) == H5T_STRING && H5Tis_variable_str(file_type.get()) == 0,
      "dataset '", object_name(dataset.get()), "' should hold fixed-length strings");
  std::size_t width = H5Tget_size(file_type.get());
  auto dims = dataset_dims(dataset.get());
  NS_CHECK_AS(DataError, dims.size() == 1, "dataset '", object_name(dataset.get()),
              "' should be 1-D");
  H5Id type = fixed_string_type(width);
  std::vector<char> buffer(width * dims[0]);
  read_rows(dataset.get(), type.get(), 0, dims[0], buffer.data());
  std::vector<std::string> values(dims[0]);
  for (std::size_t i = 0; i < dims[0]; ++i) {
    const char* begin = buffer.data() + i * width;
    values[i].assign(begin, strnlen(begin, width));
  }
  return values;
}

namespace {

template <class T>
void write_scalar_attribute(hid_t object, const std::string& name, hid_t type, const T* value) {
  H5Id space(H5Screate(H5S_SCALAR), H5Sclose, "create a scalar dataspace");
  H5Id attribute(H5Acreate2(object, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                 H5Aclose, "create attribute '" + name + "'");
  NS_H5_CHECK(H5Awrite(attribute.get(), type, value), "write attribute '" + name + "'");
}

H5Id open_attribute(hid_t object, const std::string& name) {
  NS_CHECK_AS(DataError, has_attribute(object, name), "'", object_name(object),
              "' has no attribute '", name, "'");
  return H5Id(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose,
              "open attribute '" + name + "'");
}

template <class T>
T read_scalar_attribute(hid_t object, const std::string& name, hid_t type, H5T_class_t want) {
  H5Id attribute = open_attribute(object, name);
  H5Id stored(H5Aget_type(attribute.get()), H5Tclose, "get attribute type");
  NS_CHECK_AS(DataError, H5Tget_class(stored.get()) == want, "attribute '", name, "' of '",
              object_name(object), "' has the wrong type");
  T value{};
  NS_H5_CHECK(H5Aread(attribute.get(), type, &value), "read attribute '" + name + "'");
  return value;
}

}  // namespace

void write_attribute(hid_t object, const std::string& name, const std::string& value) {
  H5Id type = fixed_string_type(std::max<std::size_t>(1, value.size()));
  std::string padded = value;
  padded.resize(std::max<std::size_t>(1, value.size()), '\0');
  write_scalar_attribute(object, name, type.get(), padded.data());
}

void write_attribute(hid_t object, const std::string& name, std::int64_t value) {
  write_scalar_attribute(object, name, H5T_NATIVE_INT64, &value);
}

void write_attribute(hid_t object, const std::string& name, double value) {
  write_scalar_attribute(object, name, H5T_NATIVE_DOUBLE, &value);
}

bool has_attribute(hid_t object, const std::string& name) {
  htri_t exists = H5Aexists(object, name.c_str());
  NS_H5_CHECK(exists, "look up attribute '" + name + "'");
  return exists > 0;
}

std::string read_string_attribute(hid_t object, const std::string& name) {
  H5Id attribute = open_attribute(object, name);
  H5Id stored(H5Aget_type(attribute.get()), H5Tclose, "get attribute type");
  NS_CHECK_AS(DataError, H5Tget_class(stored.get()) == H5T_STRING, "attribute '", name, "' of '",
              object_name(object), "' should be a string");
  if (H5Tis_variable_str(stored.get()) > 0) {  // written by h5py and other tools
    char* text = nullptr;
    H5Id type(H5Tcopy(H5T_C_S1), H5Tclose, "copy the string type");
    NS_H5_CHECK(H5Tset_size(type.get(), H5T_VARIABLE), "set a variable string type");
    NS_H5_CHECK(H5Tset_cset(type.get(), H5Tget_cset(stored.get())), "match the string encoding");
    NS_H5_CHECK(H5Aread(attribute.get(), type.get(), &text), "read attribute '" + name + "'");
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }
  std::size_t width = H5Tget_size(stored.get());
  std::vector<char> buffer(width + 1, '\0');
  H5Id type = fixed_string_type(width);
  NS_H5_CHECK(H5Tset_cset(type.get(), H5Tget_cset(stored.get())), "match the string encoding");
  NS_H5_CHECK(H5Aread(attribute.get(), type.get(), buffer.data()), "read attribute '" + name + "'");
  return std::string(buffer.data(), strnlen(buffer.data(), width));
}

std::int64_t read_int_attribute(hid_t object, const std::string& name) {
  return read_scalar_attribute<std::int64_t>(object, name, H5T_NATIVE_INT64, H5T_INTEGER);
}

double read_double_attribute(hid_t object, const std::string& name) {
  return read_scalar_attribute<double>(object, name, H5T_NATIVE_DOUBLE, H5T_FLOAT);
}

}  // namespace neuroscale::io
