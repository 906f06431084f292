# FEEL to SQL: generated SQL, and the interpreter against SQLite and PostgreSQL on generated
# registers (issue 4, item 3 for SQL).
if(TONGBAN_TESTS)
  tongban_test(feel_sql_test
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/sql_compiler_test.cc
    DEPS tongban_feel tongban_store_testing)
endif()
