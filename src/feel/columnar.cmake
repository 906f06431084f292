# FEEL evaluated column-wise over a register held in memory (issue 4, item 2), and registers
# read from CSV.
list(APPEND FEEL_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/columnar.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/columnar_csv.cc)
# The block kernels are byte loops that must be vectorised: in Release builds GCC gets its full
# vectoriser cost model for this file (-O2's "very cheap" model leaves most of them scalar).
set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/columnar.cc PROPERTIES COMPILE_OPTIONS
  "$<$<AND:$<CONFIG:Release>,$<CXX_COMPILER_ID:GNU>>:-ftree-vectorize;-fvect-cost-model=dynamic>")
