# FEEL core: values, types, lexer, parser, evaluator, core built-ins.
list(APPEND FEEL_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/value.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/type.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/lexer.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/parser.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/eval.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/builtins.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/core_builtins.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/platform_functions.cc)
list(APPEND FEEL_TEST_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/feel_test.cc)
