# Column-wise evaluation: unit tests and agreement with the interpreter on generated registers.
if(TONGBAN_TESTS)
  tongban_test(feel_columnar_test
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/columnar_test.cc
    DEPS tongban_feel)
endif()
