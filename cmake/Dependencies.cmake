# Every external library becomes an imported target here; nothing else calls find_package.
#   torch                LibTorch (the wheel of NEUROSCALE_PYTHON's PyTorch 2.x; Debian's 1.13)
#   MPI::MPI_C           Open MPI
#   neuroscale::hdf5     parallel HDF5 (serial HDF5 is rejected)
#   Boost::serialization, TBB::tbb, neuroscale::yaml, neuroscale::matio
#   protobuf::libprotobuf-lite, neuroscale::xxhash, neuroscale::json
#   neuroscale::sndfile, neuroscale::soxr              (audio: WAV stimuli, resampling)
#   neuroscale::espeak                                (libespeak-ng: speech with phoneme timing)
#   neuroscale::pcre2, neuroscale::utf8proc            (LLM tokenizers: Unicode regex, NFC)
#   GTest::gtest, GTest::gmock                        (tests only)
#   neuroscale::nccl, CUDA::cudart                    (optional, NEUROSCALE_WITH_NCCL)

# --- LibTorch. The default is the LibTorch inside the PyTorch package of NEUROSCALE_PYTHON
# (scripts/setup installs a pinned PyTorch into .venv), so the model checks compare against the
# very PyTorch the engine links. Another LibTorch can be chosen with Torch_DIR or
# CMAKE_PREFIX_PATH (Debian's libtorch-dev 1.13 is found in the system paths as a fallback).
if(EXISTS "${PROJECT_SOURCE_DIR}/.venv/bin/python3")
  set(_default_python "${PROJECT_SOURCE_DIR}/.venv/bin/python3")
else()
  set(_default_python /usr/bin/python3)
endif()
set(NEUROSCALE_PYTHON "${_default_python}" CACHE FILEPATH
    "Python whose torch package supplies LibTorch and checks the model (h5py, scipy too)")
if(NOT Torch_DIR AND NOT TORCH_LIBRARY AND NOT CMAKE_PREFIX_PATH AND EXISTS "${NEUROSCALE_PYTHON}")
  execute_process(COMMAND "${NEUROSCALE_PYTHON}" -c "import torch.utils; print(torch.utils.cmake_prefix_path)"
                  OUTPUT_VARIABLE _python_torch_cmake OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE _python_torch_rc ERROR_QUIET)
  if(_python_torch_rc EQUAL 0 AND EXISTS "${_python_torch_cmake}/Torch/TorchConfig.cmake")
    set(Torch_DIR "${_python_torch_cmake}/Torch" CACHE PATH "LibTorch config (from ${NEUROSCALE_PYTHON})")
  endif()
endif()

# The chosen LibTorch's prefix: Torch_DIR, else the first CMAKE_PREFIX_PATH entry holding one.
set(_torch_prefix "")
set(_torch_configs)
if(Torch_DIR)
  list(APPEND _torch_configs "${Torch_DIR}")
endif()
foreach(_prefix IN LISTS CMAKE_PREFIX_PATH)  # e.g. torch.utils.cmake_prefix_path
  list(APPEND _torch_configs "${_prefix}/Torch" "${_prefix}/share/cmake/Torch")
endforeach()
foreach(_config IN LISTS _torch_configs)
  get_filename_component(_candidate "${_config}/../../.." ABSOLUTE)
  if(EXISTS "${_config}/TorchConfig.cmake" AND EXISTS "${_candidate}/lib/libtorch.so")
    set(_torch_prefix "${_candidate}")
    break()
  endif()
endforeach()

if(_torch_prefix AND EXISTS "${_torch_prefix}/__init__.py")
  # A PyTorch wheel. Its TorchConfig insists on a full CUDA toolkit with nvcc (it enables the
  # CUDA language) even to link a host-only program, so import its libraries directly: the
  # wheel's own RPATHs find its CUDA runtime, cuDNN and NCCL in site-packages/nvidia.
  include(ImportTorchWheel)
  neuroscale_import_torch_wheel("${_torch_prefix}")
else()
  # TorchConfig looks for libtorch.so and the Caffe2 config in the system paths before its
  # own prefix, so a LibTorch given through Torch_DIR/CMAKE_PREFIX_PATH would silently mix with
  # Debian's LibTorch 1.13. Pin both to the prefix of the given config, and refuse a mixed result.
  if(_torch_prefix AND NOT TORCH_LIBRARY)
    set(TORCH_LIBRARY "${_torch_prefix}/lib/libtorch.so" CACHE FILEPATH "LibTorch library")
    if(NOT Caffe2_DIR AND EXISTS "${_torch_prefix}/share/cmake/Caffe2/Caffe2Config.cmake")
      set(Caffe2_DIR "${_torch_prefix}/share/cmake/Caffe2" CACHE PATH "Caffe2 config of the chosen LibTorch")
    endif()
  endif()
  find_package(Torch REQUIRED)
  get_filename_component(_torch_prefix "${TORCH_INSTALL_PREFIX}" REALPATH)
  get_filename_component(_torch_library "${TORCH_LIBRARY}" REALPATH)
  get_target_property(_c10_library c10 IMPORTED_LOCATION)
  if(NOT _c10_library)
    get_target_property(_c10_configs c10 IMPORTED_CONFIGURATIONS)
    list(GET _c10_configs 0 _c10_config)
    get_target_property(_c10_library c10 IMPORTED_LOCATION_${_c10_config})
  endif()
  get_filename_component(_c10_library "${_c10_library}" REALPATH)
  string(FIND "${_torch_library}" "${_torch_prefix}/" _torch_at)
  string(FIND "${_c10_library}" "${_torch_prefix}/" _c10_at)
  if(NOT _torch_at EQUAL 0 OR NOT _c10_at EQUAL 0)
    message(FATAL_ERROR
      "LibTorch headers come from ${_torch_prefix} but libtorch.so from ${_torch_library} "
      "and libc10.so from ${_c10_library}. "
      "Configure with -DTorch_DIR=<prefix>/share/cmake/Torch (or -DTORCH_LIBRARY=<prefix>/lib/libtorch.so) "
      "so that both come from the same LibTorch.")
  endif()
endif()
# The sources are C++17; LibTorch 2.10 and later refuse anything before C++20 in their headers.
if(Torch_VERSION VERSION_GREATER_EQUAL 2.10)
  set(CMAKE_CXX_STANDARD 20)
endif()

# OpenMP, as LibTorch's own CPU parallelism: at::parallel_for is an inline template whose
# OpenMP backend is a `#pragma omp parallel` in LibTorch's headers, so code that calls it
# runs on one thread unless it is itself compiled with -fopenmp. Every target that uses
# LibTorch (and the precompiled header they share) therefore gets OpenMP through the torch
# target; the library it links is the libgomp.so.1 LibTorch loads anyway (one OpenMP
# runtime, one thread pool). core/intra_op.h checks that it took. The fuzz build (clang,
# without its OpenMP runtime) runs those loops on one thread, as libFuzzer runs the harness.
if(NOT NEUROSCALE_FUZZ)
  find_package(OpenMP REQUIRED COMPONENTS CXX)
  set_property(TARGET torch APPEND PROPERTY INTERFACE_LINK_LIBRARIES OpenMP::OpenMP_CXX)
endif()

find_package(MPI REQUIRED COMPONENTS C)
find_package(Boost 1.71 REQUIRED COMPONENTS serialization)
find_package(TBB REQUIRED)
find_package(Threads REQUIRED)

# --- protobuf (TensorBoard's event messages, io/run/tensorboard_event.proto), xxHash (checkpoint
# checksums, header-only use), nlohmann/json (every JSON file the engine writes or reads).
find_package(Protobuf REQUIRED)
if(NOT Protobuf_PROTOC_EXECUTABLE OR NOT TARGET protobuf::libprotobuf-lite)
  message(FATAL_ERROR "protobuf not found (TensorBoard event files): apt-get install libprotobuf-dev protobuf-compiler")
endif()
find_path(XXHASH_INCLUDE_DIR xxhash.h)
if(NOT XXHASH_INCLUDE_DIR)
  message(FATAL_ERROR "xxhash.h not found (checkpoint checksums): apt-get install libxxhash-dev")
endif()
add_library(neuroscale::xxhash INTERFACE IMPORTED)
target_include_directories(neuroscale::xxhash SYSTEM INTERFACE ${XXHASH_INCLUDE_DIR})
find_package(nlohmann_json 3.10 REQUIRED)
add_library(neuroscale::json INTERFACE IMPORTED)
target_link_libraries(neuroscale::json INTERFACE nlohmann_json::nlohmann_json)

# --- yaml-cpp: 0.7 exports `yaml-cpp`, 0.8 exports `yaml-cpp::yaml-cpp`.
find_package(yaml-cpp REQUIRED)
add_library(neuroscale::yaml INTERFACE IMPORTED)
if(TARGET yaml-cpp::yaml-cpp)
  target_link_libraries(neuroscale::yaml INTERFACE yaml-cpp::yaml-cpp)
else()
  target_link_libraries(neuroscale::yaml INTERFACE yaml-cpp)
endif()

# --- libmatio (MAT-file reader for the Brain-to-Text '24 ingest).
find_path(MATIO_INCLUDE_DIR matio.h)
find_library(MATIO_LIBRARY matio)
if(NOT MATIO_INCLUDE_DIR OR NOT MATIO_LIBRARY)
  message(FATAL_ERROR "libmatio not found (MAT files of Brain-to-Text '24): apt-get install libmatio-dev")
endif()
add_library(neuroscale::matio INTERFACE IMPORTED)
target_include_directories(neuroscale::matio SYSTEM INTERFACE ${MATIO_INCLUDE_DIR})
target_link_libraries(neuroscale::matio INTERFACE ${MATIO_LIBRARY})

# --- libsndfile (reads stimulus audio: WAV, FLAC, ...) and libsoxr (resamples it to 16 kHz).
foreach(_audio IN ITEMS sndfile soxr)
  find_path(${_audio}_INCLUDE_DIR ${_audio}.h)
  find_library(${_audio}_LIBRARY ${_audio})
  if(NOT ${_audio}_INCLUDE_DIR OR NOT ${_audio}_LIBRARY)
    message(FATAL_ERROR "lib${_audio} not found (fMRI stimulus audio): apt-get install libsndfile1-dev libsoxr-dev")
  endif()
  add_library(neuroscale::${_audio} INTERFACE IMPORTED)
  target_include_directories(neuroscale::${_audio} SYSTEM INTERFACE ${${_audio}_INCLUDE_DIR})
  target_link_libraries(neuroscale::${_audio} INTERFACE ${${_audio}_LIBRARY})
endforeach()

# --- libespeak-ng (synthetic speech with its phoneme timing: `neuroscale synth --kind speech`).
find_path(espeak_INCLUDE_DIR espeak-ng/speak_lib.h)
find_library(espeak_LIBRARY espeak-ng)
if(NOT espeak_INCLUDE_DIR OR NOT espeak_LIBRARY)
  message(FATAL_ERROR "libespeak-ng not found (synthetic speech corpus): apt-get install libespeak-ng-dev")
endif()
add_library(neuroscale::espeak INTERFACE IMPORTED)
target_include_directories(neuroscale::espeak SYSTEM INTERFACE ${espeak_INCLUDE_DIR})
target_link_libraries(neuroscale::espeak INTERFACE ${espeak_LIBRARY})

# --- PCRE2 (the tokenizers' Unicode regex pre-tokenizers: \p{L}, look-ahead) and utf8proc
# (NFC normalisation, UTF-8 validation).
foreach(_text IN ITEMS pcre2 utf8proc)
  set(_header ${_text}.h)
  set(_library ${_text})
  if(_text STREQUAL "pcre2")
    set(_library pcre2-8)
  endif()
  find_path(${_text}_INCLUDE_DIR ${_header})
  find_library(${_text}_LIBRARY ${_library})
  if(NOT ${_text}_INCLUDE_DIR OR NOT ${_text}_LIBRARY)
    message(FATAL_ERROR "${_text} not found (LLM tokenizers): apt-get install libpcre2-dev libutf8proc-dev")
  endif()
  add_library(neuroscale::${_text} INTERFACE IMPORTED)
  target_include_directories(neuroscale::${_text} SYSTEM INTERFACE ${${_text}_INCLUDE_DIR})
  target_link_libraries(neuroscale::${_text} INTERFACE ${${_text}_LIBRARY})
endforeach()

# --- Parallel HDF5. Debian installs it under hdf5/openmpi; FindHDF5 finds it through the
# h5pcc wrapper when parallel is preferred. A serial HDF5 cannot do MPI-IO, so stop here.
set(HDF5_PREFER_PARALLEL TRUE)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR
    "neuroscale needs a *parallel* HDF5 (built with MPI-IO), but the HDF5 found "
    "(${HDF5_C_LIBRARIES}) is serial. On Debian/Ubuntu: apt-get install libhdf5-openmpi-dev; "
    "elsewhere point HDF5_ROOT or HDF5_C_COMPILER_EXECUTABLE at an h5pcc from a parallel build.")
endif()
add_library(neuroscale::hdf5 INTERFACE IMPORTED)
target_include_directories(neuroscale::hdf5 SYSTEM INTERFACE ${HDF5_C_INCLUDE_DIRS} ${HDF5_INCLUDE_DIRS})
target_link_libraries(neuroscale::hdf5 INTERFACE ${HDF5_C_LIBRARIES} MPI::MPI_C)
target_compile_definitions(neuroscale::hdf5 INTERFACE ${HDF5_C_DEFINITIONS} ${HDF5_DEFINITIONS})

# --- NCCL + CUDA runtime (optional). AUTO: use them whenever both are installed.
string(TOUPPER "${NEUROSCALE_WITH_NCCL}" NEUROSCALE_WITH_NCCL)
if(NOT NEUROSCALE_WITH_NCCL MATCHES "^(AUTO|ON|OFF)$")
  message(FATAL_ERROR "NEUROSCALE_WITH_NCCL='${NEUROSCALE_WITH_NCCL}': expected AUTO, ON or OFF")
endif()
set(NEUROSCALE_HAVE_NCCL OFF)
if(NOT NEUROSCALE_WITH_NCCL STREQUAL "OFF" AND NEUROSCALE_TORCH_WHEEL_NVIDIA)
  # A CUDA PyTorch wheel: its own NCCL and CUDA runtime (site-packages/nvidia), the ones its
  # LibTorch was built with. A CUDA toolkit's NCCL of another version would leave LibTorch's
  # NCCL symbols undefined at link time.
  file(GLOB _nccl_include "${NEUROSCALE_TORCH_WHEEL_NVIDIA}/nccl/include")
  file(GLOB _nccl_library "${NEUROSCALE_TORCH_WHEEL_NVIDIA}/nccl/lib/libnccl.so*")
  file(GLOB _cudart_header "${NEUROSCALE_TORCH_WHEEL_NVIDIA}/*/include/cuda_runtime.h")
  file(GLOB _cudart_library "${NEUROSCALE_TORCH_WHEEL_NVIDIA}/*/lib/libcudart.so.*")
  if(_cudart_header)
    list(GET _cudart_header 0 _cudart_header)
    get_filename_component(_cudart_include "${_cudart_header}" DIRECTORY)
  endif()
  # cuda_runtime.h includes crt/host_config.h, which the pip package nvidia-cuda-crt holds
  # (scripts/setup installs it).
  if(_nccl_include AND _nccl_library AND _cudart_header AND _cudart_library AND
     EXISTS "${_cudart_include}/crt/host_config.h")
    list(GET _nccl_library 0 NCCL_LIBRARY)
    list(GET _cudart_library 0 _cudart_library)
    set(NEUROSCALE_HAVE_NCCL ON)
    add_library(neuroscale::nccl INTERFACE IMPORTED)
    target_include_directories(neuroscale::nccl SYSTEM INTERFACE ${_nccl_include} ${_cudart_include})
    target_link_libraries(neuroscale::nccl INTERFACE ${NCCL_LIBRARY} ${_cudart_library})
    message(STATUS "NCCL: ${NCCL_LIBRARY} (the PyTorch wheel's)")
  elseif(NEUROSCALE_WITH_NCCL STREQUAL "ON")
    message(FATAL_ERROR
      "NEUROSCALE_WITH_NCCL=ON but the PyTorch wheel's NCCL or CUDA runtime headers are missing "
      "under ${NEUROSCALE_TORCH_WHEEL_NVIDIA} (pip packages nvidia-nccl-*, nvidia-cuda-runtime "
      "and nvidia-cuda-crt of the runtime's version; scripts/setup installs them).")
  else()
    message(STATUS "NCCL backend: not compiled (the PyTorch wheel lacks NCCL or the CUDA headers "
                   "crt/host_config.h: pip install nvidia-cuda-crt of the CUDA runtime's version)")
  endif()
elseif(NOT NEUROSCALE_WITH_NCCL STREQUAL "OFF")
  find_package(CUDAToolkit QUIET)
  find_path(NCCL_INCLUDE_DIR nccl.h
            HINTS ENV NCCL_HOME ENV NCCL_ROOT ${CUDAToolkit_INCLUDE_DIRS}
            PATH_SUFFIXES include)
  find_library(NCCL_LIBRARY nccl
               HINTS ENV NCCL_HOME ENV NCCL_ROOT ${CUDAToolkit_LIBRARY_DIR}
               PATH_SUFFIXES lib lib64)
  if(CUDAToolkit_FOUND AND NCCL_INCLUDE_DIR AND NCCL_LIBRARY)
    set(NEUROSCALE_HAVE_NCCL ON)
    add_library(neuroscale::nccl INTERFACE IMPORTED)
    target_include_directories(neuroscale::nccl SYSTEM INTERFACE ${NCCL_INCLUDE_DIR})
    target_link_libraries(neuroscale::nccl INTERFACE ${NCCL_LIBRARY} CUDA::cudart)
    message(STATUS "NCCL: ${NCCL_LIBRARY} (CUDA ${CUDAToolkit_VERSION})")
  elseif(NEUROSCALE_WITH_NCCL STREQUAL "ON")
    message(FATAL_ERROR
      "NEUROSCALE_WITH_NCCL=ON but the CUDA toolkit (found: ${CUDAToolkit_FOUND}) or NCCL "
      "(nccl.h: ${NCCL_INCLUDE_DIR}, libnccl: ${NCCL_LIBRARY}) is missing; set NCCL_HOME "
      "or CUDAToolkit_ROOT, or configure with -DNEUROSCALE_WITH_NCCL=AUTO|OFF.")
  else()
    message(STATUS "NCCL backend: not compiled (CUDA toolkit or NCCL not found)")
  endif()
endif()

if(NEUROSCALE_BUILD_TESTS)
  find_package(GTest REQUIRED)
  if(NOT TARGET GTest::gmock)
    message(FATAL_ERROR "GoogleMock not found: apt-get install libgmock-dev")
  endif()
endif()
