# libFuzzer targets: one foo_fuzz.cpp beside each decoder it exercises.
#
# Every foo_fuzz.cpp under src/ becomes an executable foo_fuzz and a ctest fuzz_foo that
# runs it from the seed corpus in tests/fuzz/corpus/foo_fuzz/ for a bounded time. The
# whole build is instrumented, so that coverage feedback and the sanitizers reach the
# libraries the targets exercise; keep it in a build directory of its own:
#
#   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DSTRATA_FUZZ=ON
#   cmake --build build-fuzz --target serialize_fuzz frame_fuzz
#   ctest --test-dir build-fuzz -R '^fuzz_' --output-on-failure
#
# A longer local run: build-fuzz/frame_fuzz -max_total_time=600 <a copy of the corpus>.
# Crash inputs are written to build-fuzz/fuzz_artifacts/.

if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "STRATA_FUZZ needs clang's libFuzzer, not ${CMAKE_CXX_COMPILER_ID}; "
                      "configure with CC=clang CXX=clang++")
endif()

set(strata_fuzz_compile_options
    -fsanitize=fuzzer-no-link,address,undefined
    # A fuzzer only notices undefined behaviour that stops the process.
    -fno-sanitize-recover=undefined
    # Clang 14 cannot emit -fsanitize=function's prologue for split coroutine functions.
    -fno-sanitize=function
    -fno-omit-frame-pointer)

# Runs for at most this many inputs or seconds, whichever comes first.
set(strata_fuzz_runs_max 200000)
set(strata_fuzz_seconds_max 60)

# This file is included after the libraries, tests and benchmarks are defined, where
# add_compile_options() no longer reaches them; so once the top-level directory is done,
# instrument every target of the build, wherever it was defined.
function(strata_fuzz_collect_targets directory out_targets)
  get_property(targets DIRECTORY ${directory} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirectories DIRECTORY ${directory} PROPERTY SUBDIRECTORIES)
  foreach(subdirectory ${subdirectories})
    strata_fuzz_collect_targets(${subdirectory} subdirectory_targets)
    list(APPEND targets ${subdirectory_targets})
  endforeach()
  set(${out_targets} ${targets} PARENT_SCOPE)
endfunction()

function(strata_fuzz_instrument_all_targets)
  strata_fuzz_collect_targets(${PROJECT_SOURCE_DIR} targets)
  foreach(target ${targets})
    get_target_property(type ${target} TYPE)
    get_target_property(is_fuzz_target ${target} STRATA_FUZZ_TARGET)
    if(is_fuzz_target OR NOT type MATCHES "^(STATIC|SHARED|MODULE|OBJECT)_LIBRARY$|^EXECUTABLE$")
      continue()
    endif()
    target_compile_options(${target} PRIVATE ${strata_fuzz_compile_options})
    if(type MATCHES "^(SHARED_LIBRARY|MODULE_LIBRARY|EXECUTABLE)$")
      target_link_options(${target} PRIVATE -fsanitize=address,undefined)
    endif()
  endforeach()
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL strata_fuzz_instrument_all_targets)

enable_testing()
set(strata_fuzz_artifacts ${CMAKE_BINARY_DIR}/fuzz_artifacts)
file(MAKE_DIRECTORY ${strata_fuzz_artifacts})

file(GLOB_RECURSE strata_fuzz_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/*_fuzz.cpp)
foreach(source ${strata_fuzz_sources})
  get_filename_component(target ${source} NAME_WE)
  string(REGEX REPLACE "_fuzz$" "" name ${target})

  # A target links the library of its folder (src/rpc: strata_rpc), which brings the
  # libraries below it.
  file(RELATIVE_PATH relative_source ${PROJECT_SOURCE_DIR}/src ${source})
  string(REGEX REPLACE "/.*$" "" folder ${relative_source})
  if(NOT TARGET strata_${folder})
    message(FATAL_ERROR "${relative_source}: no library strata_${folder} to link it with; "
                        "name the libraries it needs in cmake/fuzz.cmake")
  endif()

  add_executable(${target} ${source})
  set_target_properties(${target} PROPERTIES STRATA_FUZZ_TARGET TRUE)
  target_compile_options(${target} PRIVATE ${strata_fuzz_compile_options})
  target_link_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${target} PRIVATE strata_${folder})

  # libFuzzer adds the inputs it finds to the first corpus directory: give it a copy, so
  # that the tree stays clean.
  set(corpus ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/${target})
  if(NOT IS_DIRECTORY ${corpus})
    message(FATAL_ERROR "${relative_source}: no seed corpus in ${corpus}")
  endif()
  add_test(NAME fuzz_${name}
           COMMAND sh -c [=[
             set -eu
             corpus=$(mktemp -d)
             trap 'rm -rf "$corpus"' EXIT
             cp -R "$1"/. "$corpus"
             "$2" -runs="$3" -max_total_time="$4" -timeout=10 -print_final_stats=1 \
                  -artifact_prefix="$5" "$corpus"
           ]=] fuzz_${name} ${corpus} $<TARGET_FILE:${target}> ${strata_fuzz_runs_max}
                   ${strata_fuzz_seconds_max} ${strata_fuzz_artifacts}/${target}-)
  set_tests_properties(fuzz_${name} PROPERTIES
    LABELS fuzz
    TIMEOUT 300
    ENVIRONMENT "UBSAN_OPTIONS=print_stacktrace=1")
endforeach()
