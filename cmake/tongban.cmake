# Helpers shared by the module CMakeLists files.

# tongban_module(NAME SOURCES ... DEPS ...): the static library tongban_NAME.
function(tongban_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  add_library(tongban_${name} STATIC ${M_SOURCES})
  target_include_directories(tongban_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(tongban_${name} PUBLIC ${M_DEPS})
endfunction()

# tongban_test(NAME SOURCES ... DEPS ...): one GoogleTest binary, one CTest entry.
# One process per module keeps the sanitizer start-up cost out of every test case.
function(tongban_test name)
  if(NOT TONGBAN_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
  set_tests_properties(${name} PROPERTIES ENVIRONMENT
    "TONGBAN_SOURCE_DIR=${PROJECT_SOURCE_DIR};TONGBAN_SHARED_DIR=${PROJECT_SOURCE_DIR}/../shared"
    TIMEOUT 600)
  if(T_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()

# tongban_embed(TARGET VAR FILES...): compiles files into the library as
# `const tongban::EmbeddedFile VAR[]` (see base/embedded.h), so the binary needs no data
# directory at run time. Paths are recorded relative to the source root.
function(tongban_embed target var)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${var}_embedded.cc)
  set(abs_files)
  foreach(f ${ARGN})
    if(IS_ABSOLUTE ${f})
      list(APPEND abs_files ${f})
    else()
      list(APPEND abs_files ${CMAKE_CURRENT_SOURCE_DIR}/${f})
    endif()
  endforeach()
  add_custom_command(
    OUTPUT ${out}
    COMMAND tongban_embed_tool ${out} ${var} ${PROJECT_SOURCE_DIR} ${abs_files}
    DEPENDS tongban_embed_tool ${abs_files}
    COMMENT "Embedding ${var}")
  target_sources(${target} PRIVATE ${out})
endfunction()
