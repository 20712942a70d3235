# Dependencies are Debian packages (scripts/setup.sh installs them); nothing is downloaded here.
find_path(XXHASH_INCLUDE_DIR xxhash.h REQUIRED)
find_library(XXHASH_LIBRARY xxhash REQUIRED)
add_library(refast_deps INTERFACE)
target_include_directories(refast_deps INTERFACE ${XXHASH_INCLUDE_DIR})
target_link_libraries(refast_deps INTERFACE ${XXHASH_LIBRARY})

find_package(Threads REQUIRED)
target_link_libraries(refast_deps INTERFACE Threads::Threads)

if(REFAST_BENCH)
  find_package(benchmark QUIET)
  if(NOT benchmark_FOUND)
    message(STATUS "Google Benchmark not found: `refast bench` is disabled in this build")
    set(REFAST_BENCH OFF)
  endif()
endif()
