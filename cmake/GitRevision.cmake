# Writes OUTPUT with the git revision of SOURCE_DIR; rewrites it only when it changed so
# that an unchanged revision triggers no recompilation.
find_package(Git QUIET)
set(_rev "unknown")
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} describe --always --dirty --abbrev=12
                  OUTPUT_VARIABLE _out RESULT_VARIABLE _rc ERROR_QUIET
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(_rc EQUAL 0 AND _out)
    set(_rev "${_out}")
  endif()
endif()
set(_text "// Generated at build time. Do not edit.\n#pragma once\n#define NEUROSCALE_GIT_REVISION \"${_rev}\"\n")
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} _old)
endif()
if(NOT "${_old}" STREQUAL "${_text}")
  file(WRITE ${OUTPUT} "${_text}")
endif()
