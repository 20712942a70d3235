# ISA levels compiled for this target architecture, and the flags of each level.
# Adding a level: one fast/<isa>/ folder, one entry here, one row in RF_VECTOR_ISAS
# (kernels/include/refast/isa.h) with its detection function in kernels/isa.c.
# The rest of the library is built for the architecture baseline so the binary runs anywhere;
# the CPU is checked at run time before a level's code is called.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(REFAST_ISAS avx2 avx512)
  set(REFAST_FLAGS_avx2   -march=x86-64-v3)
  set(REFAST_FLAGS_avx512 -march=x86-64-v4 -mprefer-vector-width=512)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  set(REFAST_ISAS neon)
  set(REFAST_FLAGS_neon -march=armv8-a)
else()
  set(REFAST_ISAS "")
endif()
# The compiled levels as X(name, ENUM) rows for the generated rf_compiled_isas.h.
set(REFAST_ISA_XLIST "")
foreach(isa IN LISTS REFAST_ISAS)
  string(TOUPPER ${isa} _upper)
  string(APPEND REFAST_ISA_XLIST " X(${isa}, ${_upper})")
endforeach()
# ref/: a true scalar baseline with a fixed evaluation order (SPEC §2).
set(REFAST_REF_FLAGS -O2 -fno-tree-vectorize -fno-tree-slp-vectorize -ffp-contract=off)
