# Use ccache when it is installed. The sloppiness settings let ccache cache translation
# units that use the precompiled LibTorch header (GCC needs -fpch-preprocess for that); the
# base directory makes the cached paths relative to the checkout, so clones of the tree (a CI
# check beside a working copy) share one cache.
option(NEUROSCALE_USE_CCACHE "Use ccache when available" ON)
if(NEUROSCALE_USE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(NEUROSCALE_CCACHE ccache)
  if(NEUROSCALE_CCACHE)
    set(_ccache_launcher
        ${CMAKE_COMMAND} -E env
        "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
        "CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}"
        ${NEUROSCALE_CCACHE})
    set(CMAKE_CXX_COMPILER_LAUNCHER ${_ccache_launcher})
    set(CMAKE_C_COMPILER_LAUNCHER ${_ccache_launcher})
    set(NEUROSCALE_CCACHE_ENABLED ON)
    message(STATUS "ccache: ${NEUROSCALE_CCACHE}")
  endif()
endif()
