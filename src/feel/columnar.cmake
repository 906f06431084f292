# FEEL evaluated column-wise over a register held in memory (issue 4, item 2), and registers
# read from CSV.
list(APPEND FEEL_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/columnar.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/columnar_csv.cc)
