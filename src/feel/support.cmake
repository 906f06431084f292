# FEEL support: decimal numbers, dates and times, XPath regular expressions, built-ins.
list(APPEND FEEL_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/decimal.cc)
list(APPEND FEEL_TEST_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/decimal_test.cc)
