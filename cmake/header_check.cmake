# Every header must compile on its own: one generated translation unit per header.
file(GLOB_RECURSE strata_headers RELATIVE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/src/*.h)
set(header_check_sources)
foreach(header ${strata_headers})
  string(MAKE_C_IDENTIFIER ${header} name)
  set(source ${CMAKE_BINARY_DIR}/header_check/${name}.cpp)
  file(GENERATE OUTPUT ${source} CONTENT "#include \"${header}\"\n")
  list(APPEND header_check_sources ${source})
endforeach()
add_library(strata_header_check OBJECT ${header_check_sources})
target_include_directories(strata_header_check PRIVATE ${PROJECT_SOURCE_DIR}/src
                           ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(strata_header_check PRIVATE PkgConfig::XXHASH)
