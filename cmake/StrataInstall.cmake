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

# strata_library() writes each target's installed include directory when it defines the
# target, which is before this file loads GNUInstallDirs: on a fresh configure
# CMAKE_INSTALL_INCLUDEDIR is still empty there and the exported path reads "/strata".
# Repair that entry here (a no-op once GNUInstallDirs is included before the libraries).
foreach(target ${STRATA_EXPORTED_TARGETS})
  get_target_property(dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
  list(TRANSFORM dirs REPLACE "^\\$<INSTALL_INTERFACE:/strata>$"
    "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/strata>")
  set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${dirs}")
endforeach()

install(TARGETS ${STRATA_EXPORTED_TARGETS} EXPORT strataTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development)
install(TARGETS strata RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Headers keep their repo-rooted paths: include/strata/domain/metric_days.h is included as
# "domain/metric_days.h" through the targets' INSTALL_INTERFACE include directory.
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
