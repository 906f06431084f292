# FEEL support: decimal numbers, dates and times, XPath regular expressions, built-ins.
list(APPEND FEEL_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/decimal.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/temporal.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/xpath_regex.cc)
list(APPEND FEEL_TEST_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/decimal_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/temporal_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/xpath_regex_test.cc)
