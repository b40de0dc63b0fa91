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
function(neuroscale_use_torch_pch target)
  if(NEUROSCALE_USE_PCH)
    target_precompile_headers(${target} REUSE_FROM neuroscale_torch_pch)
  endif()
endfunction()
if(NEUROSCALE_USE_PCH)
  file(WRITE ${PROJECT_BINARY_DIR}/generated/pch_anchor.cpp "// anchor for the LibTorch PCH\n")
  add_library(neuroscale_torch_pch OBJECT ${PROJECT_BINARY_DIR}/generated/pch_anchor.cpp)
  target_link_libraries(neuroscale_torch_pch PUBLIC neuroscale_flags torch)
  target_precompile_headers(neuroscale_torch_pch PRIVATE <torch/torch.h>)
endif()
