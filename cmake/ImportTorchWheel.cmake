# neuroscale_import_torch_wheel(PREFIX): the imported target `torch` for the LibTorch inside a
# PyTorch wheel (PREFIX = site-packages/torch), and Torch_VERSION.
#
# The wheel's TorchConfig enables the CUDA language and so needs nvcc and a CUDA toolkit of the
# wheel's exact version, although a host program that links LibTorch compiles no CUDA code.
# Importing the libraries directly builds the same program on machines with no toolkit at all.
# The CUDA libraries are linked without --as-needed, as TorchConfig does: nothing references
# them by symbol, but loading them registers LibTorch's CUDA kernels, so `--device cuda`
# works on GPU nodes. Their own RPATHs find the CUDA runtime, cuDNN and NCCL in
# site-packages/nvidia; the build's RPATH finds them.
#
# Sets NEUROSCALE_TORCH_WHEEL_NVIDIA: site-packages/nvidia (the wheel's CUDA runtime and
# NCCL, used by the NCCL backend), empty for a CPU-only wheel.
function(neuroscale_import_torch_wheel prefix)
  set(version_header "${prefix}/include/torch/headeronly/version.h")
  if(NOT EXISTS "${version_header}")
    set(version_header "${prefix}/include/torch/csrc/api/include/torch/version.h")
  endif()
  file(STRINGS "${version_header}" version_lines REGEX "#define TORCH_VERSION_(MAJOR|MINOR|PATCH) ")
  set(version "")
  foreach(part IN ITEMS MAJOR MINOR PATCH)
    if(NOT version_lines MATCHES "TORCH_VERSION_${part} ([0-9]+)")
      message(FATAL_ERROR "LibTorch at ${prefix}: no TORCH_VERSION_${part} in ${version_header}")
    endif()
    list(APPEND version ${CMAKE_MATCH_1})
  endforeach()
  list(JOIN version "." version)

  foreach(library IN ITEMS torch torch_cpu c10)
    if(NOT EXISTS "${prefix}/lib/lib${library}.so")
      message(FATAL_ERROR "LibTorch at ${prefix}: lib/lib${library}.so is missing (a broken PyTorch install?)")
    endif()
  endforeach()

  add_library(torch INTERFACE IMPORTED GLOBAL)
  target_include_directories(torch SYSTEM INTERFACE
    "${prefix}/include" "${prefix}/include/torch/csrc/api/include")
  target_link_libraries(torch INTERFACE
    "${prefix}/lib/libtorch.so" "${prefix}/lib/libtorch_cpu.so" "${prefix}/lib/libc10.so")
  set(nvidia "")
  if(EXISTS "${prefix}/lib/libtorch_cuda.so")
    target_link_libraries(torch INTERFACE
      "-Wl,--no-as-needed" "${prefix}/lib/libtorch_cuda.so" "${prefix}/lib/libc10_cuda.so" "-Wl,--as-needed")
    get_filename_component(nvidia "${prefix}/../nvidia" ABSOLUTE)
  endif()
  # The wheel's C++ ABI (the new std::string since PyTorch 2.7; older wheels used the old one).
  if(EXISTS "${prefix}/share/cmake/Torch/TorchConfig.cmake")
    file(STRINGS "${prefix}/share/cmake/Torch/TorchConfig.cmake" abi REGEX "_GLIBCXX_USE_CXX11_ABI=[01]")
    if(abi MATCHES "_GLIBCXX_USE_CXX11_ABI=0")
      target_compile_definitions(torch INTERFACE _GLIBCXX_USE_CXX11_ABI=0)
    endif()
  endif()
  set(Torch_VERSION "${version}" PARENT_SCOPE)
  set(TORCH_INSTALL_PREFIX "${prefix}" PARENT_SCOPE)
  set(NEUROSCALE_TORCH_WHEEL_NVIDIA "${nvidia}" PARENT_SCOPE)
  message(STATUS "LibTorch ${version} from the PyTorch package at ${prefix}")
endfunction()
