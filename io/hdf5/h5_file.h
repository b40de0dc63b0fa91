// Opening and creating HDF5 files, serially or in parallel through MPI-IO, and the small
// typed helpers every reader and writer needs (datasets, row slabs, attributes, strings).
// Parallel rules (HDF5): file create/open/close, dataset and attribute creation, and
// attribute writes are collective over the file's communicator; dataset writes and reads
// here are independent, so ranks may write different numbers of slabs.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "io/hdf5/h5_handle.h"

namespace neuroscale::io {

// comm == MPI_COMM_NULL opens with the default (POSIX) driver for one process.
H5Id create_file(const std::string& path, MPI_Comm comm);
H5Id open_file(const std::string& path, MPI_Comm comm);  // read-only

H5Id create_group(hid_t parent, const std::string& name);
H5Id open_group(hid_t parent, const std::string& name);
H5Id open_dataset(hid_t parent, const std::string& name);
bool link_exists(hid_t parent, const std::string& name);
// Names of the links (groups, datasets) directly under `group`, in name order.
std::vector<std::string> list_links(hid_t group);

// IEEE binary16 as an HDF5 type (h5py reads it as numpy float16). Caller owns the id.
H5Id make_float16_type();

// Creates a dataset of `dims` (chunked by `chunk` when given; chunking is required for
// datasets that grow or are read in slabs).
H5Id create_dataset(hid_t parent, const std::string& name, hid_t file_type,
                    const std::vector<hsize_t>& dims, const std::vector<hsize_t>& chunk = {});
std::vector<hsize_t> dataset_dims(hid_t dataset);

// A 1-D dataset that starts empty and grows by append_rows (unlimited, chunked by
// `chunk_rows`). Serial files only: growing a dataset is collective in parallel HDF5.
H5Id create_growing_dataset(hid_t parent, const std::string& name, hid_t file_type,
                            hsize_t chunk_rows);
void append_rows(hid_t dataset, hid_t memory_type, hsize_t n_rows, const void* data);

// Writes/reads rows [first_row, first_row + n_rows) of a 1-D or 2-D dataset; `memory_type`
// describes `data` (a contiguous row-major buffer). n_rows == 0 is a no-op.
void write_rows(hid_t dataset, hid_t memory_type, hsize_t first_row, hsize_t n_rows,
                const void* data);
void read_rows(hid_t dataset, hid_t memory_type, hsize_t first_row, hsize_t n_rows, void* data);

// Whole 1-D numeric arrays (create + write; in parallel, only `writer` writes the data).
template <class T>
void write_array(hid_t parent, const std::string& name, const std::vector<T>& values,
                 bool writer = true);
template <class T>
std::vector<T> read_array(hid_t parent, const std::string& name);

// Fixed-length, null-padded ASCII strings (readable by h5py as bytes; no variable-length
// data, which parallel HDF5 cannot write).
void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& values,
                   bool writer = true);
std::vector<std::string> read_strings(hid_t parent, const std::string& name);

// Scalar attributes. Writes are collective in parallel files: every rank writes the same.
void write_attribute(hid_t object, const std::string& name, const std::string& value);
void write_attribute(hid_t object, const std::string& name, std::int64_t value);
void write_attribute(hid_t object, const std::string& name, double value);
bool has_attribute(hid_t object, const std::string& name);
std::string read_string_attribute(hid_t object, const std::string& name);
std::int64_t read_int_attribute(hid_t object, const std::string& name);
double read_double_attribute(hid_t object, const std::string& name);

}  // namespace neuroscale::io
