# Every third-party dependency comes from a Debian 12 package (scripts/install-deps).
find_package(PkgConfig REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)         # libpqxx 6.4: pkg-config only
pkg_check_modules(MARIADB REQUIRED IMPORTED_TARGET libmariadb)   # MariaDB Connector/C
find_package(SQLite3 REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(date CONFIG REQUIRED)
find_package(tomlplusplus CONFIG REQUIRED)
find_package(OpenSSL REQUIRED)   # SHA-256 (libcrypto)
find_package(ZLIB REQUIRED)      # CRC-32 (Flyway checksums)
find_package(nlohmann_json CONFIG REQUIRED)  # --json output
find_package(Threads REQUIRED)
# libpg_query (libpg-query-dev): PostgreSQL's own parser, for `strata lint`. No CMake or
# pkg-config file in the Debian package: found by its header and static library.
find_path(PG_QUERY_INCLUDE_DIR pg_query.h REQUIRED)
find_library(PG_QUERY_LIBRARY NAMES libpg_query.a pg_query REQUIRED)
add_library(PgQuery::PgQuery UNKNOWN IMPORTED)
set_target_properties(PgQuery::PgQuery PROPERTIES IMPORTED_LOCATION ${PG_QUERY_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${PG_QUERY_INCLUDE_DIR})
if(STRATA_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
  include(GoogleTest)
endif()
if(STRATA_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)
endif()
