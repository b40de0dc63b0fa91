# Build types: Release (default), Debug, RelWithDebInfo, Sanitize (ASan + UBSan),
# ThreadSanitize (TSan) and Fuzz (clang: libFuzzer coverage + ASan + UBSan; tests/fuzz).
set(_neuroscale_build_types Release Debug RelWithDebInfo Sanitize ThreadSanitize Fuzz)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()
set_property(CACHE CMAKE_BUILD_TYPE PROPERTY STRINGS ${_neuroscale_build_types})
if(CMAKE_BUILD_TYPE AND NOT CMAKE_BUILD_TYPE IN_LIST _neuroscale_build_types)
  message(FATAL_ERROR "CMAKE_BUILD_TYPE='${CMAKE_BUILD_TYPE}' is not one of: "
                      "${_neuroscale_build_types}")
endif()

# Sanitize: AddressSanitizer + UndefinedBehaviorSanitizer. UB aborts (no recovery) so a
# test cannot pass while UB is reported. vptr checks are off: LibTorch is built without
# sanitizer type info and its polymorphic types trip false positives in them.
set(_san "-fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=undefined")
# GCC 12 reports -Wmaybe-uninitialized false positives inside <regex> and <functional> when
# instrumented; they are noise here, not findings.
set(_san_warnings "-Wno-maybe-uninitialized")
set(CMAKE_CXX_FLAGS_SANITIZE "-O1 -g -fno-omit-frame-pointer ${_san} ${_san_warnings}"
    CACHE STRING "C++ flags for the Sanitize build type" FORCE)
set(CMAKE_C_FLAGS_SANITIZE "-O1 -g -fno-omit-frame-pointer ${_san}"
    CACHE STRING "C flags for the Sanitize build type" FORCE)
foreach(_kind EXE SHARED MODULE)
  set(CMAKE_${_kind}_LINKER_FLAGS_SANITIZE "${_san}"
      CACHE STRING "Linker flags for the Sanitize build type" FORCE)
endforeach()
mark_as_advanced(CMAKE_CXX_FLAGS_SANITIZE CMAKE_C_FLAGS_SANITIZE
                 CMAKE_EXE_LINKER_FLAGS_SANITIZE CMAKE_SHARED_LINKER_FLAGS_SANITIZE
                 CMAKE_MODULE_LINKER_FLAGS_SANITIZE)

# ThreadSanitize: data races among the engine's threads (loader, MPI communication thread,
# reducer, checkpoint writer, commit and retention). Only the engine is instrumented (not
# LibTorch, Open MPI or OpenBLAS); tests/tsan.supp names what is reported inside them.
set(_tsan "-fsanitize=thread")
set(CMAKE_CXX_FLAGS_THREADSANITIZE "-O1 -g -fno-omit-frame-pointer ${_tsan} ${_san_warnings}"
    CACHE STRING "C++ flags for the ThreadSanitize build type" FORCE)
set(CMAKE_C_FLAGS_THREADSANITIZE "-O1 -g -fno-omit-frame-pointer ${_tsan}"
    CACHE STRING "C flags for the ThreadSanitize build type" FORCE)
foreach(_kind EXE SHARED MODULE)
  set(CMAKE_${_kind}_LINKER_FLAGS_THREADSANITIZE "${_tsan}"
      CACHE STRING "Linker flags for the ThreadSanitize build type" FORCE)
endforeach()

# Fuzz (clang only): every source is instrumented for libFuzzer's coverage, ASan and UBSan;
# the harnesses link libFuzzer's main (tests/fuzz/CMakeLists.txt).
set(_fuzz "-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=vptr -fno-sanitize-recover=undefined")
set(CMAKE_CXX_FLAGS_FUZZ "-O1 -g -fno-omit-frame-pointer ${_fuzz}" CACHE STRING "C++ flags for the Fuzz build type" FORCE)
set(CMAKE_C_FLAGS_FUZZ "-O1 -g -fno-omit-frame-pointer ${_fuzz}" CACHE STRING "C flags for the Fuzz build type" FORCE)
foreach(_kind EXE SHARED MODULE)
  set(CMAKE_${_kind}_LINKER_FLAGS_FUZZ "-fsanitize=address,undefined" CACHE STRING "Linker flags for the Fuzz build type" FORCE)
endforeach()
mark_as_advanced(CMAKE_CXX_FLAGS_THREADSANITIZE CMAKE_C_FLAGS_THREADSANITIZE CMAKE_EXE_LINKER_FLAGS_THREADSANITIZE
                 CMAKE_SHARED_LINKER_FLAGS_THREADSANITIZE CMAKE_MODULE_LINKER_FLAGS_THREADSANITIZE
                 CMAKE_CXX_FLAGS_FUZZ CMAKE_C_FLAGS_FUZZ CMAKE_EXE_LINKER_FLAGS_FUZZ CMAKE_SHARED_LINKER_FLAGS_FUZZ
                 CMAKE_MODULE_LINKER_FLAGS_FUZZ)
