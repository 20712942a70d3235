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

# oneDNN (Debian libdnnl-dev), optional: the `onednn` GRU peer and its test (peers/gated_onednn.c,
# tests/test_gated_onednn.c). Found by header and library rather than find_package(dnnl CONFIG):
# Debian's dnnl-config.cmake requires the OpenCL headers (its GPU runtime) even for CPU use. The
# peer pins oneDNN's OpenMP runtime to one thread (omp_set_num_threads), hence libgomp.
find_path(DNNL_INCLUDE_DIR dnnl.h PATH_SUFFIXES oneapi/dnnl)
find_library(DNNL_LIBRARY dnnl)
find_package(OpenMP COMPONENTS C QUIET)
add_library(refast_onednn INTERFACE)
if(DNNL_INCLUDE_DIR AND DNNL_LIBRARY AND OpenMP_C_FOUND)
  set(REFAST_HAVE_ONEDNN ON)
  message(STATUS "oneDNN: ${DNNL_LIBRARY} (the onednn GRU peer and test_gated_onednn are built)")
  target_include_directories(refast_onednn INTERFACE ${DNNL_INCLUDE_DIR})
  target_link_libraries(refast_onednn INTERFACE ${DNNL_LIBRARY} ${OpenMP_C_LIBRARIES})
  target_compile_definitions(refast_onednn INTERFACE REFAST_HAVE_ONEDNN=1)
else()
  set(REFAST_HAVE_ONEDNN OFF)
  message(STATUS "oneDNN not found (libdnnl-dev, or OpenMP for its runtime): the onednn GRU peer "
                 "and test_gated_onednn are not built")
endif()

# MPI for `refast sim` over several processes (Debian libopenmpi-dev + openmpi-bin): on when found.
# Without it (the aarch64 cross build, machines without MPI) refast builds the same, and a run under
# mpirun is refused (harness/apps/sim_mpi.h). MPIEXEC_EXECUTABLE runs the MPI tests.
option(REFAST_MPI "Build refast sim with MPI when an MPI implementation is found" ON)
set(REFAST_HAVE_MPI OFF)
if(REFAST_MPI)
  find_package(MPI COMPONENTS C QUIET)
  if(MPI_C_FOUND)
    set(REFAST_HAVE_MPI ON)
    message(STATUS "MPI: ${MPI_C_LIBRARIES} (refast sim runs under ${MPIEXEC_EXECUTABLE})")
  else()
    message(STATUS "MPI not found (libopenmpi-dev): refast sim runs in one process only")
  endif()
endif()
