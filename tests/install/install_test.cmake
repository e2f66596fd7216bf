# cmake -P script run by the ctest test strata_install_consumer (see CMakeLists.txt here).
# Installs strata's development component into WORK_DIR/prefix, then builds and runs the
# consumer project against that prefix only, and checks what it prints.
cmake_minimum_required(VERSION 3.25)

foreach(var STRATA_SOURCE_DIR STRATA_BUILD_DIR CONSUMER_SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "install_test.cmake: -D ${var}=... is required")
  endif()
endforeach()

set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/consumer-build)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

# Runs a command; on failure shows its output and stops the test.
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
endfunction()

run("cmake --install"
  ${CMAKE_COMMAND} --install ${STRATA_BUILD_DIR} --component development --prefix ${prefix})

# Headers keep their repo-rooted paths under include/strata/; consumers include
# <strata/domain/event.h>, with include/ (not include/strata/) on their include path.
foreach(header include/strata/domain/metric_days.h include/strata/domain/event.h
               include/strata/domain/zone.h include/strata/domain/timestamp.h
               include/strata/base/result.h)
  if(NOT EXISTS ${prefix}/${header})
    message(FATAL_ERROR "not installed: ${header}")
  endif()
endforeach()

# The package must stand alone: nothing in it may point back into the source or build tree.
file(GLOB_RECURSE package_files ${prefix}/*/cmake/strata/*.cmake)
if(NOT package_files)
  message(FATAL_ERROR "no CMake package files under ${prefix}/<libdir>/cmake/strata")
endif()
foreach(file ${package_files})
  file(READ ${file} text)
  # include/, not include/strata/: otherwise "domain/event.h" could mean strata's or the
  # consumer's own.
  if(text MATCHES "INTERFACE_INCLUDE_DIRECTORIES \"[^\"]*/include/strata[;\"]")
    message(FATAL_ERROR "${file} puts include/strata/ on consumers' include path")
  endif()
  foreach(tree ${STRATA_SOURCE_DIR} ${STRATA_BUILD_DIR})
    string(FIND "${text}" "${tree}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${file} refers to ${tree}")
    endif()
  endforeach()
endforeach()

set(configure_args
  -S ${CONSUMER_SOURCE_DIR} -B ${consumer_build} -G ${GENERATOR}
  -D CMAKE_CXX_COMPILER=${CXX_COMPILER}
  -D CMAKE_PREFIX_PATH=${prefix}
  -D CMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
if(BUILD_TYPE)
  list(APPEND configure_args -D CMAKE_BUILD_TYPE=${BUILD_TYPE})
endif()
if(CONSUMER_FLAGS)
  list(APPEND configure_args -D "CMAKE_CXX_FLAGS=${CONSUMER_FLAGS}"
    -D "CMAKE_EXE_LINKER_FLAGS=${CONSUMER_FLAGS}")
endif()
run("configuring the consumer" ${CMAKE_COMMAND} ${configure_args})

# find_package must have used the scratch prefix, not some other strata on the machine.
file(STRINGS ${consumer_build}/CMakeCache.txt strata_dir REGEX "^strata_DIR:")
if(NOT strata_dir MATCHES "^strata_DIR:PATH=${prefix}/")
  message(FATAL_ERROR "the consumer found strata elsewhere: ${strata_dir}")
endif()

run("building the consumer" ${CMAKE_COMMAND} --build ${consumer_build})

execute_process(COMMAND ${consumer_build}/consumer
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(expected [[event 7 in Asia/Seoul: 2 days
2024-02-29
2024-03-01
unknown time zone "Mars/Olympus_Mons": not in the time-zone database; use an IANA name such as "Asia/Seoul" or "America/New_York"
consumer's own domain/event.h
]])
if(NOT rc EQUAL 0 OR NOT out STREQUAL expected)
  message(FATAL_ERROR "consumer exited ${rc}\n--- printed:\n${out}--- expected:\n${expected}--- stderr:\n${err}")
endif()
message(STATUS "installed package OK: the consumer built against ${prefix} and printed:\n${out}")
