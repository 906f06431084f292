# FEEL support: decimal numbers, dates and times, XPath regular expressions, built-ins.
list(APPEND FEEL_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/decimal.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/temporal.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/xpath_regex.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/builtins_conversion.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/builtins_numeric.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/builtins_string.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/builtins_list.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/builtins_temporal.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/builtins_range.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/builtins_context.cc)
list(APPEND FEEL_TEST_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/decimal_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/temporal_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/xpath_regex_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/builtins_test.cc)
