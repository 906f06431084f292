# The differential test against feelin (issue 4, item 4): feel_differential writes the generated
# corpus with tongban's results; tests/feelin/run.sh evaluates it with feelin in one node process.
# Skipped (not failed) when node or the npm packages are missing, unless TONGBAN_REQUIRE_FEELIN=1.
if(TONGBAN_TESTS)
  add_executable(feel_differential
    ${CMAKE_CURRENT_SOURCE_DIR}/differential.cc
    ${CMAKE_CURRENT_SOURCE_DIR}/differential_main.cc)
  target_link_libraries(feel_differential PRIVATE tongban_feel)
  add_test(NAME feelin_differential
    COMMAND sh ${PROJECT_SOURCE_DIR}/tests/feelin/run.sh $<TARGET_FILE:feel_differential>
      ${PROJECT_BINARY_DIR}/feelin)
  set_tests_properties(feelin_differential PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
endif()
