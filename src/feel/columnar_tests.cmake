# Column-wise evaluation: unit tests, agreement with the interpreter on generated registers,
# counts per region and against a baseline, registers read from CSV.
if(TONGBAN_TESTS)
  tongban_test(feel_columnar_test
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/columnar_test.cc
            ${CMAKE_CURRENT_SOURCE_DIR}/columnar_csv_test.cc
    DEPS tongban_feel)
endif()
