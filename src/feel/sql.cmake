# FEEL compiled to SQL (issue 4): a boolean rule over a register's columns -> a WHERE clause.
list(APPEND FEEL_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/sql_compiler.cc)
