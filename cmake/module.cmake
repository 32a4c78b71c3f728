# plugwatch_module(NAME SOURCES ... DEPS ... TESTS ...)
# One static library per module (plugwatch_<NAME>), and one GoogleTest binary
# (plugwatch_<NAME>_tests) for the *_test.cc files that sit beside the code.
function(plugwatch_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;TESTS;TEST_DEPS" ${ARGN})
  add_library(plugwatch_${name} STATIC ${M_SOURCES})
  target_include_directories(plugwatch_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(plugwatch_${name} PUBLIC ${M_DEPS})
  if(PLUGWATCH_TESTS AND M_TESTS)
    add_executable(plugwatch_${name}_tests ${M_TESTS})
    target_link_libraries(plugwatch_${name}_tests PRIVATE plugwatch_${name} ${M_TEST_DEPS}
                          GTest::gtest GTest::gmock GTest::gtest_main)
    gtest_discover_tests(plugwatch_${name}_tests DISCOVERY_TIMEOUT 60
                         PROPERTIES LABELS unit)
  endif()
endfunction()
