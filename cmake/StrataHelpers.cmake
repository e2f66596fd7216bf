include(GNUInstallDirs)  # CMAKE_INSTALL_INCLUDEDIR is used by strata_library()

# strata_library(NAME folder SOURCES ... [PUBLIC_LIBS ...] [PRIVATE_LIBS ...] [HEADERS ...])
# Defines target strata_<name> with alias strata::<name>; includes are repo-rooted
# ("base/result.h"). Installed libraries export as strata::<name>.
#
# HEADERS are installed (cmake/StrataInstall.cmake) as include/strata/<folder>/<file>, and a
# program using the package includes them as <strata/domain/event.h>: the prefix keeps them
# apart from the program's own folders (the event platform's server has a domain/ too). So an
# installed header includes the other installed headers in that prefixed form as well
# ("strata/base/result.h"), never repo-rooted ("base/result.h" would find nothing once
# installed, or worse, a consumer's own base/result.h). For the prefixed form to resolve in the
# build tree too, each installed header gets a symbolic link at the same place under
# <build>/include, which the target adds to its include path. The build tree then holds exactly
# the installed layout: an installed header that includes a header not installed fails to
# build here, not in a consumer. Everything else keeps including repo-rooted paths.
function(strata_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;HEADERS;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(strata_${name} STATIC ${ARG_SOURCES})
  add_library(strata::${name} ALIAS strata_${name})
  set_target_properties(strata_${name} PROPERTIES EXPORT_NAME ${name} POSITION_INDEPENDENT_CODE ON)
  target_include_directories(strata_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(strata_${name} PUBLIC ${ARG_PUBLIC_LIBS} PRIVATE ${ARG_PRIVATE_LIBS})
  if(ARG_HEADERS)
    set_property(GLOBAL APPEND PROPERTY STRATA_INSTALLED_HEADERS ${ARG_HEADERS})
    foreach(header ${ARG_HEADERS})
      file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${header})
      get_filename_component(dir ${PROJECT_BINARY_DIR}/include/strata/${rel} DIRECTORY)
      file(MAKE_DIRECTORY ${dir})
      file(CREATE_LINK ${header} ${PROJECT_BINARY_DIR}/include/strata/${rel} SYMBOLIC)
    endforeach()
    target_include_directories(strata_${name} PUBLIC
      $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>)
  endif()
endfunction()

# strata_compile_unoptimized(TARGET)
# Compiles TARGET's own sources without optimisation (-O0, debug info kept) in every build
# type. For test code only: the libraries under test keep the build type's -O2, while gtest's
# macro-expanded test bodies cost three times as long to compile at -O2 and gain nothing from
# it (measured on migrations/plan_test.cc: 16 s of CPU at -O2 -g, 5 s at -O0 -g). A clean
# RelWithDebInfo build on 2 cores went from 506 s to 455 s.
function(strata_compile_unoptimized target)
  target_compile_options(${target} PRIVATE -O0)
endfunction()

# strata_test(NAME SOURCES ... LIBS ... [LABELS ...])
# One gtest executable; each test case becomes a ctest test carrying LABELS (default: unit).
# Integration tests use the label of their server: postgres, mariadb, sqlite, cli; a test for
# several engines lists them all: LABELS "postgres;mariadb;sqlite".
function(strata_test name)
  if(NOT STRATA_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if("cli" IN_LIST ARG_LABELS AND NOT STRATA_BUILD_CLI_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest_main)
  strata_compile_unoptimized(${name})
  # Not `PROPERTIES LABELS ...`: gtest_discover_tests flattens that list, so only the first
  # label would survive. A script ctest runs after adding the discovered tests labels them.
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 TEST_LIST ${name}_TESTS)
  set(label_script "${CMAKE_CURRENT_BINARY_DIR}/${name}_labels.cmake")
  file(WRITE "${label_script}"
    "if(${name}_TESTS)\n"
    "  set_tests_properties(\${${name}_TESTS} PROPERTIES LABELS \"${ARG_LABELS}\")\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${label_script}")
endfunction()
