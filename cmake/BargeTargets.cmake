# barge_add_library / barge_add_test: one static library per src/ folder, one
# gtest binary per component. Link lines are the layering contract.
include(GoogleTest)

# `cmake --build . --target unit_tests` builds every unit-test binary and nothing else.
add_custom_target(unit_tests)

function(barge_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  target_compile_options(${name} PRIVATE ${BARGE_WARNINGS})
endfunction()

function(barge_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(NOT BARGE_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_options(${name} PRIVATE ${BARGE_WARNINGS})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
  add_dependencies(unit_tests ${name})
endfunction()

# Links `target` (an executable) with jemalloc when the build uses it (see
# BARGE_JEMALLOC in the top-level CMakeLists.txt).
function(barge_use_jemalloc target)
  if(BARGE_JEMALLOC_LIBRARY)
    target_link_libraries(${target} PRIVATE ${BARGE_JEMALLOC_LIBRARY})
  endif()
endfunction()
