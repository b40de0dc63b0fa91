# neuroscale_flags: the one INTERFACE target carrying warnings, include roots and the
# generated build-config header. Every project target links it.
add_library(neuroscale_flags INTERFACE)
target_include_directories(neuroscale_flags INTERFACE
  ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
target_compile_options(neuroscale_flags INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wno-unused-parameter>)
target_compile_definitions(neuroscale_flags INTERFACE OMPI_SKIP_MPICXX=1)
target_link_libraries(neuroscale_flags INTERFACE Threads::Threads)

# Optional pieces become NEUROSCALE_HAVE_* macros in one header.
configure_file(${PROJECT_SOURCE_DIR}/cmake/build_config.h.in
               ${PROJECT_BINARY_DIR}/generated/neuroscale/build_config.h @ONLY)

# The git revision is refreshed on every build (the file changes only when HEAD does).
add_custom_target(neuroscale_git_revision
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
          -DOUTPUT=${PROJECT_BINARY_DIR}/generated/neuroscale/git_revision.h
          -P ${PROJECT_SOURCE_DIR}/cmake/GitRevision.cmake
  BYPRODUCTS ${PROJECT_BINARY_DIR}/generated/neuroscale/git_revision.h
  COMMENT "Recording git revision")

# One object library owns the precompiled LibTorch header; torch-using targets reuse it.
# Targets reusing it must share compile options, which neuroscale_flags guarantees.
# Only sources that reach LibTorch's heavy headers (directly or through the project's
# headers) get it: loading the header (720 MB with LibTorch 2.15) costs about 9 s of CPU,
# more than a source that includes only light LibTorch headers (c10 types, torch/arg.h)
# takes to compile without it. Measured with LibTorch 2.15: an LR schedule (torch/arg.h)
# 11 s with the header, 1.5 s without; attention (torch/nn) 19 s with, 30 s without.
function(neuroscale_use_torch_pch target)
  if(NOT NEUROSCALE_USE_PCH)
    return()
  endif()
  target_precompile_headers(${target} REUSE_FROM neuroscale_torch_pch)
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  foreach(source ${sources})
    get_filename_component(path "${source}" ABSOLUTE BASE_DIR "${source_dir}")
    if(path MATCHES "\\.(cpp|cc|cxx)$")
      _neuroscale_reaches_torch("${path}" reaches)
      if(NOT reaches)
        set_source_files_properties(${source} TARGET_DIRECTORY ${target}
                                    PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
      endif()
    endif()
  endforeach()
endfunction()

# _neuroscale_reaches_torch(FILE OUT): OUT is TRUE when FILE includes a heavy LibTorch header
# (<torch/...>, <ATen/...> other than the light ones below), itself or through a project header ("..." includes found beside the file or
# under the source root). Results are cached per file for the configure run; a file being
# visited counts as not reaching, which ends include cycles. A wrong FALSE costs only speed:
# the source still includes what it uses and compiles without the precompiled header.
function(_neuroscale_reaches_torch file out)
  get_property(known GLOBAL PROPERTY "neuroscale_torch_reach:${file}" SET)
  if(known)
    get_property(result GLOBAL PROPERTY "neuroscale_torch_reach:${file}")
    set(${out} ${result} PARENT_SCOPE)
    return()
  endif()
  set_property(GLOBAL PROPERTY "neuroscale_torch_reach:${file}" FALSE)
  set(result FALSE)
  file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
  get_filename_component(file_dir "${file}" DIRECTORY)
  foreach(line ${includes})
    if(line MATCHES "<(torch|ATen|c10)/" AND
       NOT line MATCHES "<(c10/|torch/arg\\.h|torch/version\\.h|torch/headeronly/|ATen/core/grad_mode\\.h)")
      set(result TRUE)
      break()
    endif()
    if(line MATCHES "\"([^\"]+)\"")
      set(name "${CMAKE_MATCH_1}")
      foreach(base "${PROJECT_SOURCE_DIR}" "${file_dir}")
        if(EXISTS "${base}/${name}" AND NOT IS_DIRECTORY "${base}/${name}")
          get_filename_component(header "${base}/${name}" ABSOLUTE)
          _neuroscale_reaches_torch("${header}" header_reaches)
          if(header_reaches)
            set(result TRUE)
          endif()
          break()
        endif()
      endforeach()
      if(result)
        break()
      endif()
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY "neuroscale_torch_reach:${file}" ${result})
  set(${out} ${result} PARENT_SCOPE)
endfunction()
if(NEUROSCALE_USE_PCH)
  file(WRITE ${PROJECT_BINARY_DIR}/generated/pch_anchor.cpp "// anchor for the LibTorch PCH\n")
  add_library(neuroscale_torch_pch OBJECT ${PROJECT_BINARY_DIR}/generated/pch_anchor.cpp)
  target_link_libraries(neuroscale_torch_pch PUBLIC neuroscale_flags torch)
  target_precompile_headers(neuroscale_torch_pch PRIVATE <torch/torch.h>)
endif()
