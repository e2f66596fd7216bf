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
if(STRATA_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
  include(GoogleTest)
endif()
if(STRATA_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)
endif()
