# FEEL support: decimal numbers, dates and times, XPath regular expressions, built-ins.
list(APPEND FEEL_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/decimal.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/temporal.cc)
list(APPEND FEEL_TEST_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/decimal_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/temporal_test.cc)
