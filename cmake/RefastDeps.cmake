# Dependencies are Debian packages (scripts/setup.sh installs them); nothing is downloaded here.
find_path(XXHASH_INCLUDE_DIR xxhash.h REQUIRED)
find_library(XXHASH_LIBRARY xxhash REQUIRED)
add_library(refast_xxhash INTERFACE)
target_include_directories(refast_xxhash INTERFACE ${XXHASH_INCLUDE_DIR})
target_link_libraries(refast_xxhash INTERFACE ${XXHASH_LIBRARY})

find_package(Threads REQUIRED)
# zlib: the pMoE experiments read gzipped IDX image sets (Debian zlib1g-dev).
find_package(ZLIB REQUIRED)

if(REFAST_BENCH)
  find_package(benchmark QUIET)
  if(NOT benchmark_FOUND)
    message(STATUS "Google Benchmark not found: `refast bench` is disabled in this build")
    set(REFAST_BENCH OFF)
  endif()
endif()

# OpenBLAS (the `openblas` peer rows: dgemm/sgemm forms of the moment and KO kernels) and LAPACKE
# (dsyevd for the whitening eigenproblem at the fast levels). Debian: libopenblas-dev,
# liblapacke-dev; cblas.h lives in the multiarch include directory. OpenBLAS runs single-threaded
# inside refast (openblas_set_num_threads(1) in the peers) so that per-core rates compare.
find_path(CBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES ${CMAKE_LIBRARY_ARCHITECTURE} REQUIRED)
find_path(LAPACKE_INCLUDE_DIR lapacke.h REQUIRED)
find_library(OPENBLAS_LIBRARY openblas REQUIRED)
find_library(LAPACKE_LIBRARY lapacke REQUIRED)
add_library(refast_lapack INTERFACE)
target_include_directories(refast_lapack INTERFACE ${CBLAS_INCLUDE_DIR} ${LAPACKE_INCLUDE_DIR})
target_link_libraries(refast_lapack INTERFACE ${LAPACKE_LIBRARY} ${OPENBLAS_LIBRARY})
