# `cmake --install` installs the strata executable, the libraries and their headers, and a
# CMake package: find_package(strata CONFIG) then link strata::domain (or any strata:: target).
#
# Everything a program that links strata needs — libraries, headers under include/strata/,
# the package files — is in the install component `development`, so it can be installed on its
# own: `cmake --install build --component development --prefix /opt/strata` (as
# tests/install does) needs only strata_base and strata_domain built, not the executable.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(STRATA_EXPORTED_TARGETS strata_base strata_domain)

install(TARGETS ${STRATA_EXPORTED_TARGETS} EXPORT strataTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development)
install(TARGETS strata RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Headers keep their repo-rooted paths under a strata/ prefix:
# include/strata/domain/metric_days.h is included as <strata/domain/metric_days.h> through the
# targets' INSTALL_INTERFACE include directory, include/ (see strata_library() in
# StrataHelpers.cmake).
get_property(headers GLOBAL PROPERTY STRATA_INSTALLED_HEADERS)
foreach(header ${headers})
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${header})
  get_filename_component(dir ${rel} DIRECTORY)
  install(FILES ${header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/strata/${dir}
    COMPONENT development)
endforeach()

install(EXPORT strataTargets NAMESPACE strata:: FILE strataTargets.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/strata COMPONENT development)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/strataConfig.cmake.in
  ${PROJECT_BINARY_DIR}/strataConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/strata)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/strataConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/strataConfig.cmake ${PROJECT_BINARY_DIR}/strataConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/strata COMPONENT development)

# The JSON Schemas of strata's --json documents (docs/json.md), beside the executable's other
# data: <prefix>/share/strata/json-schema/<command>.schema.json.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/json-schema/
  DESTINATION ${CMAKE_INSTALL_DATADIR}/strata/json-schema FILES_MATCHING PATTERN "*.schema.json")
